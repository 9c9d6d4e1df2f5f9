package io.parley.search;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Search settings ({@code parley.search.*}).
 *
 * @param enabled        run the search projection and answer searches on this node
 * @param indexDir       where this node's Lucene index lives; default {@code ${parley.data-dir}/search-index}
 * @param commitInterval the longest time between durable index commits (a crash replays at most this much; what is
 *                       indexed is visible to the next search regardless)
 * @param batchSize      events per projection batch
 */
@ConfigurationProperties("parley.search")
public record SearchProperties(@DefaultValue("true") boolean enabled, Path indexDir,
                               @DefaultValue("1s") Duration commitInterval,
                               @DefaultValue("500") int batchSize) {
}
