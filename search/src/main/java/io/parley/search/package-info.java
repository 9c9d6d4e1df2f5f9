/**
 * Message search: a projection of the event stream into a node-local Apache Lucene index, and the query handlers
 * that answer from it (docs/decisions.md, "Search").
 */
package io.parley.search;
