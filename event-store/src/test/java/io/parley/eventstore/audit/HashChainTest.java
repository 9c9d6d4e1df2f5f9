package io.parley.eventstore.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hash's canonical form. */
class HashChainTest {

    @Test
    void theHashCoversEveryPartAndIgnoresKeyOrderInMetadata() {
        String base = HashChain.hash("", "a", 1, "T", "1", 5, new byte[]{1, 2},
                HashChain.tree(Map.of("x", "1", "y", "2")));
        assertThat(HashChain.hash("", "a", 1, "T", "1", 5, new byte[]{1, 2},
                HashChain.tree("{\"y\":\"2\",\"x\":\"1\",\"hash\":\"zz\"}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(base);
        assertThat(HashChain.hash("p", "a", 1, "T", "1", 5, new byte[]{1, 2}, HashChain.tree(Map.of("x", "1", "y", "2"))))
                .isNotEqualTo(base);
        assertThat(HashChain.hash("", "a", 2, "T", "1", 5, new byte[]{1, 2}, HashChain.tree(Map.of("x", "1", "y", "2"))))
                .isNotEqualTo(base);
        assertThat(HashChain.hash("", "a", 1, "T", "1", 6, new byte[]{1, 2}, HashChain.tree(Map.of("x", "1", "y", "2"))))
                .isNotEqualTo(base);
        assertThat(HashChain.hash("", "a", 1, "T", "1", 5, new byte[]{1, 3}, HashChain.tree(Map.of("x", "1", "y", "2"))))
                .isNotEqualTo(base);
    }
}
