import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

// Java's regex engine (Spark's rlike) asked directly, for tests/test_javaregex.py: reads patterns,
// a line "-", then strings, each a line of hexadecimal code points separated by spaces; writes,
// for each pattern, a line with 1 where find() matches the string and 0 where it does not.
public class Match {
    static String decode(String line) {
        if (line.isEmpty()) {
            return "";
        }
        int[] cps = Arrays.stream(line.split(" ")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
        return new String(cps, 0, cps.length);
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<Pattern> patterns = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        boolean inStrings = false;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("-")) {
                inStrings = true;
            } else if (inStrings) {
                strings.add(decode(line));
            } else {
                patterns.add(Pattern.compile(decode(line)));
            }
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, StandardCharsets.UTF_8);
        for (Pattern p : patterns) {
            StringBuilder row = new StringBuilder();
            for (String s : strings) {
                row.append(p.matcher(s).find() ? '1' : '0');
            }
            out.println(row);
        }
        out.flush();
    }
}
