package io.tenantgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a Dockerfile under src/main/docker says about the image's base, ports, user and environment. */
record Dockerfile(String from, List<Integer> exposed, String user, Map<String, String> env) {

    static final Path DIRECTORY = Path.of("src/main/docker");
    private static final Pattern ENV_ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|(\\S+))");

    /** Reads the instructions, joining continued lines; the last FROM and USER win, as in a build. */
    static Dockerfile read(String name) {
        String text;
        try {
            text = Files.readString(DIRECTORY.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String from = null;
        String user = null;
        List<Integer> exposed = new ArrayList<>();
        Map<String, String> env = new HashMap<>();
        for (String instruction : text.replaceAll("\\\\\\R", " ").lines()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            String[] words = instruction.split("\\s+", 2);
            String arguments = words.length > 1 ? words[1] : "";
            switch (words[0].toUpperCase()) {
                case "FROM" -> from = arguments.split("\\s+")[0];
                case "USER" -> user = arguments;
                case "EXPOSE" -> {
                    for (String port : arguments.split("\\s+")) {
                        exposed.add(Integer.parseInt(port.replaceAll("/(tcp|udp)$", "")));
                    }
                }
                case "ENV" -> {
                    Matcher assignment = ENV_ASSIGNMENT.matcher(arguments);
                    while (assignment.find()) {
                        env.put(assignment.group(1),
                                assignment.group(3) != null ? assignment.group(3) : assignment.group(4));
                    }
                }
                default -> {
                }
            }
        }
        return new Dockerfile(from, List.copyOf(exposed), user, Map.copyOf(env));
    }
}
