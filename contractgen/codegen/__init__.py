"""Code generation stage: `Contract` → plan → files → the output folder.

`plan` decides every name, type and literal (pure, no I/O; `literal` and `layout` are its
escaping and line-breaking); `tables` turns a contract into the runtime's table description;
`render` lays the plan out through the Jinja templates in `templates/`; `write` puts the files in
place atomically, confined to the output folder; `fingerprint` tells a no-op build cheaply.
"""
