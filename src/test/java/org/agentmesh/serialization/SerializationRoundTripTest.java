package org.agentmesh.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.memory.RaftMemberSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every type that crosses nodes or is persisted (every concrete {@link CborSerializable} in the code base, found by
 * scanning the compiled classes) round-trips through the serializer bound in {@code reference.conf}. Sample instances
 * are generated from the record components, so a new message type is covered the day it is written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SerializationRoundTripTest {

    private final ActorTestKit testKit = ActorTestKit.create();
    /** The Raft hot path has its own binary serializer (see {@code RaftMemberSerializerTest}); the rest is CBOR. */
    private static final java.util.Set<Class<?>> RAFT_BINARY = java.util.Set.of(RaftMember.Deliver.class, RaftMember.Persisted.class);
    private final ActorRef<Object> probeRef = testKit.<Object>createTestProbe().getRef();

    @AfterAll
    void stop() {
        testKit.shutdownTestKit();
    }

    static List<Class<?>> serializableTypes() throws IOException {
        Path root = Path.of("target/classes");
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c;
                try {
                    c = Class.forName(name, false, SerializationRoundTripTest.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                if (CborSerializable.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                    found.add(c);
                }
            }
        }
        return found;
    }

    @Test
    void everyCborSerializableTypeRoundTrips() throws Exception {
        List<Class<?>> types = serializableTypes();
        assertTrue(types.size() >= 20, "found only " + types.size() + " serializable types: is target/classes there?");
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
        List<String> failures = new ArrayList<>();
        for (Class<?> type : types) {
            try {
                Object sample = sample(type, type);
                var serializer = serialization.findSerializerFor(sample);
                Class<?> expected = RAFT_BINARY.contains(type) ? RaftMemberSerializer.class : JacksonCborSerializer.class;
                assertTrue(expected.isInstance(serializer), type.getName() + " is serialized by " + serializer);
                byte[] bytes = serialization.serialize(sample).get();
                Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample)).get();
                if (!deepEquals(sample, back)) {
                    failures.add(type.getName() + ": " + sample + " came back as " + back);
                }
            } catch (Exception | AssertionError e) {
                failures.add(type.getName() + ": " + e);
            }
        }
        assertTrue(failures.isEmpty(), "types that do not round-trip:\n" + String.join("\n", failures));
        System.out.println(types.size() + " serializable types round-tripped through their serializers");
    }

    @Test
    void serializeMessagesIsOnInTheTestKitCluster() {
        Map<String, Object> overrides = org.agentmesh.testkit.MeshTestCluster.testOverrides();
        assertEquals("on", overrides.get("pekko.actor.serialize-messages"));
    }

    // ---- sample generation

    private Object sample(Type type, Class<?> owner) throws Exception {
        Class<?> raw = rawClass(type);
        if (raw == String.class) {
            return "s-1";
        }
        if (raw == int.class || raw == Integer.class) {
            return 7;
        }
        if (raw == long.class || raw == Long.class) {
            return 42L;
        }
        if (raw == double.class || raw == Double.class) {
            return 0.25;
        }
        if (raw == float.class || raw == Float.class) {
            return 0.5f;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return true;
        }
        if (raw == byte[].class) {
            return new byte[] {1, 2, 3};
        }
        if (raw == long[].class) {
            return new long[] {4L}; // one element, like the generated lists, for records that pair them
        }
        if (raw == int[].class) {
            return new int[] {6};
        }
        if (raw == double[].class) {
            return new double[] {0.5};
        }
        if (raw.isEnum()) {
            return raw.getEnumConstants()[raw.getEnumConstants().length - 1];
        }
        if (JsonNode.class.isAssignableFrom(raw)) {
            return new ObjectMapper().readTree("{\"answer\":42,\"tags\":[\"a\",\"b\"]}");
        }
        if (raw == ActorRef.class) {
            return probeRef;
        }
        if (raw == List.class || raw == java.util.Collection.class) {
            return List.of(sample(typeArg(type, 0), owner));
        }
        if (raw == java.util.SortedSet.class) {
            return new java.util.TreeSet<>(Set.of(sample(typeArg(type, 0), owner)));
        }
        if (raw == Set.class) {
            return Set.of(sample(typeArg(type, 0), owner));
        }
        if (raw == Map.class) {
            return Map.of(sample(typeArg(type, 0), owner), sample(typeArg(type, 1), owner));
        }
        if (raw == Optional.class) {
            return Optional.of(sample(typeArg(type, 0), owner));
        }
        if (raw.isRecord()) {
            RecordComponent[] components = raw.getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                args[i] = raw == owner || components[i].getType() != owner ? sample(components[i].getGenericType(), owner) : null;
            }
            Constructor<?> ctor = raw.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        }
        if (raw.isSealed()) {
            for (Class<?> sub : raw.getPermittedSubclasses()) {
                if (!sub.isInterface()) {
                    return sample(sub, owner);
                }
            }
            return sample(raw.getPermittedSubclasses()[0], owner);
        }
        throw new IllegalArgumentException("no sample for " + type);
    }

    private static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalArgumentException("unsupported type " + t);
    }

    private static Type typeArg(Type t, int i) {
        if (t instanceof ParameterizedType p) {
            Type arg = p.getActualTypeArguments()[i];
            return arg instanceof java.lang.reflect.WildcardType w ? w.getUpperBounds()[0] : arg;
        }
        return String.class;
    }

    /** Record equality that compares array components by content. */
    static boolean deepEquals(Object a, Object b) throws Exception {
        if (a == null || b == null || !a.getClass().isRecord() || a.getClass() != b.getClass()) {
            return a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : java.util.Objects.equals(a, b);
        }
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            Object x = accessor.invoke(a);
            Object y = accessor.invoke(b);
            if (x != null && x.getClass().isArray()) {
                if (y == null || !y.getClass().isArray() || Array.getLength(x) != Array.getLength(y)
                        || !Arrays.deepEquals(new Object[] {x}, new Object[] {y})) {
                    return false;
                }
            } else if (!deepEquals(x, y)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theSampleGeneratorCoversRecordsEnumsAndCollections() throws Exception {
        Object s = sample(org.agentmesh.swarm.SwarmSpec.class, org.agentmesh.swarm.SwarmSpec.class);
        assertFalse(((org.agentmesh.swarm.SwarmSpec) s).agents().isEmpty());
    }
}
