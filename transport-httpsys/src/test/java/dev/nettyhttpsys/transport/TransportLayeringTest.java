package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport's classes form a one-way stack: read from the compiled classes (every class a
 * class file names in its constant pool: calls, fields, signatures, casts), no class reaches back
 * up to one that uses it. And what a user names is public; everything else is package-private.
 */
class TransportLayeringTest {
    private static final String PACKAGE = "dev/nettyhttpsys/transport/";
    private static final Pattern REFERENCE = Pattern.compile(Pattern.quote(PACKAGE) + "([A-Za-z0-9_]+)");

    /** The public API (package-info.java lists the same): anything else public is a mistake. */
    private static final Set<String> PUBLIC_API = Set.of(
            "HttpSys", "HttpSysChannel", "HttpSysChannelConfig", "HttpSysChannelOption", "HttpSysEngineStats",
            "HttpSysEventLoopGroup", "HttpSysException", "HttpSysIoHandler", "HttpSysQueueMode",
            "HttpSysServerAddress", "HttpSysServerChannel", "HttpSysServerChannelConfig", "UrlPrefix");

    @Test
    void noClassReachesBackUpToAClassThatUsesIt() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        List<List<String>> cycles = cycles(uses);
        assertEquals(List.of(), cycles, () -> "classes that know each other (each cycle, with its edges): "
                + describe(cycles, uses));
    }

    @Test
    void theAnalyserSeesTheStack() throws IOException {
        // Guards the test above against passing on an empty or unread graph.
        Map<String, Set<String>> uses = dependencies();
        assertTrue(uses.size() >= 30, () -> "only " + uses.keySet() + " read");
        assertTrue(uses.get("HttpSysServerChannel").contains("HttpSysChannel"), uses::toString);
        assertTrue(uses.get("HttpSysServerChannel").contains("RequestQueue"), uses::toString);
        assertTrue(uses.get("HttpSysChannel").contains("HttpSysIoOps"), uses::toString);
        assertTrue(uses.get("HttpSysIoOps").contains("QueueHandle"), uses::toString);
        // A cycle planted in a copy of the graph is found.
        Map<String, Set<String>> planted = new TreeMap<>(uses);
        planted.put("Native", new TreeSet<>(Set.of("HttpSysServerChannel")));
        assertTrue(!cycles(planted).isEmpty(), "a planted cycle Native -> HttpSysServerChannel went unseen");
    }

    @Test
    void onlyTheApiIsPublic() throws IOException {
        Set<String> publicTypes = new TreeSet<>();
        for (String name : dependencies().keySet()) {
            try {
                Class<?> type = Class.forName("dev.nettyhttpsys.transport." + name, false, getClass().getClassLoader());
                if (java.lang.reflect.Modifier.isPublic(type.getModifiers())) {
                    publicTypes.add(name);
                }
            } catch (ClassNotFoundException e) {
                throw new AssertionError(name, e);
            }
        }
        assertEquals(new TreeSet<>(PUBLIC_API), publicTypes,
                "the public types differ from the API list (package-info.java): make plumbing package-private");
    }

    /** Top-level class -> the package's other top-level classes it names (nested classes fold into theirs). */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Path folder = classesFolder().resolve(PACKAGE);
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = topLevel(file.getFileName().toString().replace(".class", ""));
                if (name.equals("package-info")) {
                    continue;
                }
                Set<String> targets = uses.computeIfAbsent(name, k -> new TreeSet<>());
                for (String text : utf8Constants(file)) {
                    Matcher matcher = REFERENCE.matcher(text);
                    while (matcher.find()) {
                        String target = topLevel(matcher.group(1));
                        if (!target.equals(name) && !target.equals("package-info")) {
                            targets.add(target);
                        }
                    }
                }
            }
        }
        return uses;
    }

    private static String topLevel(String binaryName) {
        int dollar = binaryName.indexOf('$');
        return dollar < 0 ? binaryName : binaryName.substring(0, dollar);
    }

    private static Path classesFolder() {
        try {
            return Paths.get(HttpSysServerChannel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CONSTANT_Utf8 entries of a class file (JVMS 4.4): class names and descriptors are among them. */
    private static List<String> utf8Constants(Path classFile) throws IOException {
        List<String> texts = new ArrayList<>();
        try (InputStream stream = Files.newInputStream(classFile);
             DataInputStream in = new DataInputStream(stream)) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1: texts.add(in.readUTF()); break;
                    case 7: case 8: case 16: case 19: case 20: in.skipBytes(2); break;
                    case 15: in.skipBytes(3); break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.skipBytes(4); break;
                    case 5: case 6: in.skipBytes(8); i++; break;
                    default: throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
        }
        return texts;
    }

    /** Strongly connected components of more than one class (Tarjan). */
    private static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> components = new ArrayList<>();
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, components);
            }
        }
        return components;
    }

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<List<String>> components) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, components);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            List<String> component = new ArrayList<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                component.sort(null);
                components.add(component);
            }
        }
    }

    private static String describe(List<List<String>> cycles, Map<String, Set<String>> uses) {
        StringBuilder text = new StringBuilder();
        for (List<String> cycle : cycles) {
            text.append("\n  ").append(cycle).append(':');
            for (String from : cycle) {
                for (String to : uses.get(from)) {
                    if (cycle.contains(to)) {
                        text.append("\n    ").append(from).append(" -> ").append(to);
                    }
                }
            }
        }
        return text.toString();
    }
}
