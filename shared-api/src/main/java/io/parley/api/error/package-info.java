/**
 * Rule violations the command side reports, one type per kind of answer the edge gives (403, 404, 409, 400).
 * Messages are readable by users.
 */
package io.parley.api.error;
