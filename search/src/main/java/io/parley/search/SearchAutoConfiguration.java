package io.parley.search;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * Search for any application that has this module on its class path and does not scan {@code io.parley.search}
 * itself (push nodes in distributed mode). The command side excludes it by name: it never reads projections.
 */
@AutoConfiguration
@Import(SearchConfiguration.class)
public class SearchAutoConfiguration {
}
