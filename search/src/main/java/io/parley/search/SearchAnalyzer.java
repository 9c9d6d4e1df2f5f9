package io.parley.search;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * How message text and queries are cut into words, all of it Lucene's own analysis (docs/decisions.md, "Search"):
 * <ol>
 *     <li>{@link StandardTokenizer}: Unicode word boundaries (UAX #29), so words of any script split where a reader
 *     expects; Han, Hiragana and Hangul characters come out one by one, marked as such;</li>
 *     <li>{@link CJKWidthFilter}: full-width Latin becomes ASCII and half-width Katakana full-width;</li>
 *     <li>{@link LowerCaseFilter}: case does not matter;</li>
 *     <li>{@link ASCIIFoldingFilter}: accents and ligatures fold to their ASCII form ({@code Café} finds {@code cafe},
 *     {@code straße} finds {@code strasse});</li>
 *     <li>{@link CJKBigramFilter}: runs of CJK characters become overlapping pairs ({@code 東京都} → {@code 東京},
 *     {@code 京都}), the indexing of Lucene's {@code CJKAnalyzer}: no dictionary, and a query of two or more
 *     characters finds the phrase anywhere in a word.</li>
 * </ol>
 * Queries are analysed the same way; prefix terms ({@code cafe*}) get the same case and accent folding
 * ({@link #normalize}).
 */
public final class SearchAnalyzer extends Analyzer {

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        StandardTokenizer source = new StandardTokenizer();
        TokenStream stream = new CJKWidthFilter(source);
        stream = new LowerCaseFilter(stream);
        stream = new ASCIIFoldingFilter(stream);
        stream = new CJKBigramFilter(stream);
        return new TokenStreamComponents(source, stream);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
        return new ASCIIFoldingFilter(new LowerCaseFilter(new CJKWidthFilter(in)));
    }
}
