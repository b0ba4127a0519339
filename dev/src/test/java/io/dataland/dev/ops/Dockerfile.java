package io.dataland.dev.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

/**
 * A Dockerfile read into instructions (continuation lines joined, comments dropped), enough for the
 * static checks: stages, COPY sources, USER, ENV, exec-form ENTRYPOINT/CMD/HEALTHCHECK.
 */
record Dockerfile(Path path, List<Instruction> instructions) {

    /** One instruction: upper-case keyword, the rest of the line. */
    record Instruction(String keyword, String args, int stage) {
    }

    static Dockerfile parse(Path path) throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int stage = -1;
        for (String raw : Files.readAllLines(path)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String text = pending.toString().strip();
            pending.setLength(0);
            int space = text.indexOf(' ');
            String keyword = text.substring(0, space).toUpperCase(Locale.ROOT);
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(keyword, text.substring(space + 1).strip(), stage));
        }
        return new Dockerfile(path, out);
    }

    /** {@code text} with each {@code ${NAME}} replaced by the default of the ARG declared before the first FROM. */
    String withArgDefaults(String text) {
        String out = text;
        for (Instruction arg : instructions) {
            if (arg.stage() < 0 && arg.keyword().equals("ARG") && arg.args().contains("=")) {
                int eq = arg.args().indexOf('=');
                out = out.replace("${" + arg.args().substring(0, eq) + "}", arg.args().substring(eq + 1));
            }
        }
        return out;
    }

    /** Instructions with {@code keyword}. */
    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The final stage's instructions. */
    List<Instruction> finalStage() {
        int last = instructions.getLast().stage();
        return instructions.stream().filter(i -> i.stage() == last).toList();
    }

    /** The single {@code keyword} instruction of the final stage. */
    Instruction one(String keyword) {
        List<Instruction> found = finalStage().stream().filter(i -> i.keyword().equals(keyword)).toList();
        if (found.size() != 1) {
            throw new AssertionError(path.getFileName() + ": expected one " + keyword + " in the final stage, found " + found.size());
        }
        return found.getFirst();
    }

    /** An exec-form (JSON array) argument list; anything else is an assertion failure. */
    static List<String> execForm(String args) {
        String text = args.strip();
        if (!text.startsWith("[")) {
            throw new AssertionError("not exec form (a shell would swallow signals): " + text);
        }
        Object parsed = new Yaml().load(text); // a JSON array is a YAML flow sequence
        List<String> list = new ArrayList<>();
        for (Object o : (List<?>) parsed) {
            list.add(String.valueOf(o));
        }
        return list;
    }

    /** The final stage's ENV as a map (both {@code K=V ...} and {@code K V} forms). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction i : finalStage()) {
            if (!i.keyword().equals("ENV")) {
                continue;
            }
            if (!i.args().contains("=")) {
                String[] kv = i.args().split("\\s+", 2);
                env.put(kv[0], kv[1]);
                continue;
            }
            for (String pair : i.args().split("\\s+")) {
                env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        return env;
    }

    /** A COPY's flags ({@code --from=build}) and its sources and destination. */
    record Copy(Map<String, String> flags, List<String> sources, String destination, int stage) {
        static Copy of(Instruction i) {
            Map<String, String> flags = new LinkedHashMap<>();
            List<String> words = new ArrayList<>();
            for (String word : i.args().split("\\s+")) {
                if (word.startsWith("--")) {
                    String[] kv = word.substring(2).split("=", 2);
                    flags.put(kv[0], kv.length > 1 ? kv[1] : "");
                } else {
                    words.add(word);
                }
            }
            return new Copy(flags, words.subList(0, words.size() - 1), words.getLast(), i.stage());
        }
    }

    List<Copy> copies() {
        return all("COPY").stream().map(Copy::of).toList();
    }
}
