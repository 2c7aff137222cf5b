package org.agentmesh.memory;

/**
 * Syntax and size rules of the mesh memory, shared by the state machine and the interfaces (HTTP, CLI, MCP).
 *
 * <p>Namespaces and keys are non-empty ASCII strings of letters, digits and {@code - _ . : / @}; namespaces are at most
 * {@value #MAX_NAMESPACE_LENGTH} characters, keys at most {@value #MAX_KEY_LENGTH}. ASCII only, so that names are
 * safe in URLs, logs and file names without escaping and compare the same everywhere. {@code *} and {@code ?} are
 * excluded from names because search patterns use them as wildcards.
 *
 * <p>Every check throws {@link InvalidFieldException} naming the field.
 */
public final class MemoryLimits {

    public static final int MAX_NAMESPACE_LENGTH = 128;
    public static final int MAX_KEY_LENGTH = 512;
    /** Largest value, measured as its CBOR encoding (what Raft replicates and persists). */
    public static final int MAX_VALUE_BYTES = 1024 * 1024;
    /** Largest number of results a list or search may ask for. */
    public static final int MAX_RESULT_LIMIT = 10_000;

    private MemoryLimits() {}

    public static String requireValidNamespace(String namespace) {
        return requireName("namespace", namespace, MAX_NAMESPACE_LENGTH, false);
    }

    public static String requireValidKey(String key) {
        return requireName("key", key, MAX_KEY_LENGTH, false);
    }

    /** A key prefix for {@code list}: like a key, but may be empty. */
    public static String requireValidPrefix(String prefix) {
        if (prefix != null && prefix.isEmpty()) {
            return prefix;
        }
        return requireName("prefix", prefix, MAX_KEY_LENGTH, false);
    }

    /** A search pattern: key characters plus the wildcards {@code *} and {@code ?}; empty matches every key. */
    public static String requireValidPattern(String pattern) {
        if (pattern != null && pattern.isEmpty()) {
            return pattern;
        }
        return requireName("pattern", pattern, MAX_KEY_LENGTH, true);
    }

    public static int requireValidLimit(int limit) {
        if (limit < 1 || limit > MAX_RESULT_LIMIT) {
            throw new InvalidFieldException("limit", "must be between 1 and " + MAX_RESULT_LIMIT + ", was " + limit);
        }
        return limit;
    }

    public static long requireValidNow(long nowMillis) {
        if (nowMillis < 0) {
            throw new InvalidFieldException("nowMillis", "must be >= 0, was " + nowMillis);
        }
        return nowMillis;
    }

    /** {@code 0} means no expiry; otherwise the expiry must lie after {@code nowMillis}. */
    public static long requireValidExpiry(long expiresAtMillis, long nowMillis) {
        if (expiresAtMillis < 0) {
            throw new InvalidFieldException("expiresAtMillis", "must be 0 (no expiry) or a time in millis, was " + expiresAtMillis);
        }
        if (expiresAtMillis != 0 && expiresAtMillis <= nowMillis) {
            throw new InvalidFieldException("expiresAtMillis", "must be after nowMillis " + nowMillis + ", was " + expiresAtMillis);
        }
        return expiresAtMillis;
    }

    public static long requireValidExpectedVersion(long expectedVersion) {
        if (expectedVersion < 0) {
            throw new InvalidFieldException("expectedVersion", "must be 0 (absent) or a version, was " + expectedVersion);
        }
        return expectedVersion;
    }

    public static void requireValidValueSize(int encodedBytes, int maxValueBytes) {
        if (encodedBytes > maxValueBytes) {
            throw new InvalidFieldException("value", "encodes to " + encodedBytes + " bytes, more than the limit of " + maxValueBytes);
        }
    }

    /** Records cannot stop Jackson from passing null for a missing field: this turns it into a named error. */
    static <T> T present(T value, String field) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        return value;
    }

    private static String requireName(String field, String name, int maxLength, boolean wildcards) {
        present(name, field);
        if (name.isEmpty()) {
            throw new InvalidFieldException(field, "must not be empty");
        }
        if (name.length() > maxLength) {
            throw new InvalidFieldException(field, "must be at most " + maxLength + " characters, was " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isNameChar(c) && !(wildcards && (c == '*' || c == '?'))) {
                throw new InvalidFieldException(field, "character '" + printable(c) + "' at index " + i
                        + " is not allowed (letters, digits and -_.:/@" + (wildcards ? " plus * and ?" : "") + ")");
            }
        }
        return name;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '@';
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
