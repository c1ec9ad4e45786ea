"""Evolution stage: two versions of a contract → findings → verdict → changelog.

`diff` and `sectiondiff` compare the schema and the sections around it and emit findings under the
rule IDs of `rules`; `verdict` weighs them against the version bump and the change policy;
`changelog` records each release; `gitlog` rebuilds that record from git history; `report`
prints findings for people and for CI.
"""
