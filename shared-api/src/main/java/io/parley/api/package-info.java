/**
 * The language of Parley: commands, events, queries and views, as plain records, packaged by context.
 * No Spring here; only Axon's routing and revision annotations.
 */
package io.parley.api;
