package io.parley.search;

import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.search.SearchQueries.Highlight;
import io.parley.api.search.SearchQueries.SearchHit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.queryparser.simple.SimpleQueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.uhighlight.Passage;
import org.apache.lucene.search.uhighlight.PassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.search.uhighlight.WholeBreakIterator;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOSupplier;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The search index: one Lucene document per message that has text (its words, its conversation, its sender and its
 * place in the event stream) and one per membership (conversation, user), so that who may find what is decided from the
 * same index, at the same position in the event stream, as what there is to find.
 * <p>
 * Every change is keyed ({@code updateDocument} / {@code deleteDocuments} by id), so applying an event twice changes
 * nothing, and a replay from an older position converges on the same index. Writes become visible to searches at
 * {@link #refresh()} and durable at {@link #commit(Map)}, which also stores the caller's data (the tracking token) in
 * the same Lucene commit, so the index and its position are never out of step on disk.
 * <p>
 * Thread safety: one writer thread (the projection) plus any number of searchers; {@link #purgeSender} may run on
 * another thread (Lucene's {@code IndexWriter} is thread-safe).
 * <p>
 * Interrupts: Java closes a file channel for every thread when a thread using it is interrupted, and Lucene then
 * closes its {@code IndexWriter} for good (a failed flush is a tragic event), so one search cancelled during its
 * refresh stopped the index until a restart (a test here showed it on the first try). The methods callers use from
 * threads that are interrupted in normal running (a request's worker, whose client hangs up) do their file work on
 * the index's own threads ({@link #onIndexThread}), which nothing interrupts: {@link #refresh}, {@link #commit},
 * {@link #purgeSender} and {@link #close}. The projection's own writes stay on its thread, which Axon interrupts at
 * most when it stops the processor.
 */
public final class MessageIndex implements Closeable {

    static final String ID = "id";
    static final String KIND = "kind";
    static final String CONVERSATION = "conversationId";
    static final String USER = "userId";
    static final String SENDER = "senderId";
    static final String MESSAGE_ID = "messageId";
    static final String SEQ = "seq";
    static final String TEXT = "text";
    static final String ORDER = "order";
    static final String SENT_AT = "sentAt";
    static final String EDITED_AT = "editedAt";

    private static final String MESSAGE = "message";
    private static final String MEMBER = "member";
    private static final Sort NEWEST_FIRST = new Sort(new SortField(ORDER, SortField.Type.LONG, true));

    /** A page of hits and, when there are more, the stream position the next page starts below. */
    public record Page(List<SearchHit> hits, Long nextBefore) {
    }

    private final Path path;
    private final Directory directory;
    private final SearchAnalyzer analyzer = new SearchAnalyzer();
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /** Per erased sender, the stream position up to which their text was erased (see {@link #purgeSender}). */
    private final Map<String, Long> erasedUpTo = new java.util.concurrent.ConcurrentHashMap<>();
    /** Runs the file work of {@link #onIndexThread}; threads made as needed, none ever interrupted. */
    private final ExecutorService indexThreads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "search-index-files");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean closed = new AtomicBoolean();

    private MessageIndex(Path path) throws IOException {
        this.path = path;
        this.directory = FSDirectory.open(path);
        IndexWriterConfig config = new IndexWriterConfig(analyzer)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(32);
        // Segments with deleted documents are merged away early, so a deleted text leaves the files soon.
        TieredMergePolicy merges = new TieredMergePolicy();
        merges.setDeletesPctAllowed(20);
        // An erasure's forceMergeDeletes rewrites EVERY segment holding a deleted document: with the default (10 %),
        // a segment where the erased sender's few messages are under 10 % of the documents was left as it was, and
        // their words stayed in its files (stored fields, terms) after the purge reported success.
        merges.setForceMergeDeletesPctAllowed(0);
        config.setMergePolicy(merges);
        this.writer = new IndexWriter(directory, config);
        this.searchers = new SearcherManager(writer, null);
    }

    /** Opens (or creates) the index in this directory. */
    public static MessageIndex open(Path path) {
        try {
            return new MessageIndex(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the search index in " + path, e);
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Indexes a sent message. {@code order} is the event's position in the event stream (newest first sorts on it).
     * A message without text (attachments only, or text erased) is not indexed.
     */
    public void messageSent(String conversationId, String messageId, long seq, String senderId, String text,
                            Instant sentAt, long order) {
        Term id = messageTerm(conversationId, seq);
        if (text == null || text.isBlank() || order <= erasedUpTo.getOrDefault(senderId, Long.MIN_VALUE)) {
            write(() -> writer.deleteDocuments(id));
            return;
        }
        Document doc = messageDocument(conversationId, messageId, seq, senderId, text, sentAt, null, order);
        write(() -> writer.updateDocument(id, doc));
    }

    /** Re-indexes an edited message with its new text; an unknown (deleted, or never indexed) message stays out. */
    public void messageEdited(String conversationId, long seq, String text, Instant editedAt) {
        Term id = messageTerm(conversationId, seq);
        Optional<Document> existing = find(id);
        if (existing.isEmpty()) {
            return;
        }
        Document old = existing.get();
        long order = old.getField(ORDER).numericValue().longValue();
        // an erased sender's message found just before the purge removed it stays out (the purge runs on its own thread)
        if (text == null || text.isBlank() || order <= erasedUpTo.getOrDefault(old.get(SENDER), Long.MIN_VALUE)) {
            write(() -> writer.deleteDocuments(id));
            return;
        }
        Document doc = messageDocument(conversationId, old.get(MESSAGE_ID), seq, old.get(SENDER), text,
                Instant.ofEpochMilli(old.getField(SENT_AT).numericValue().longValue()), editedAt, order);
        write(() -> writer.updateDocument(id, doc));
    }

    public void messageDeleted(String conversationId, long seq) {
        write(() -> writer.deleteDocuments(messageTerm(conversationId, seq)));
    }

    public void memberJoined(String conversationId, String userId) {
        Document doc = new Document();
        Term id = memberTerm(conversationId, userId);
        doc.add(new StringField(ID, id.text(), Field.Store.NO));
        doc.add(new StringField(KIND, MEMBER, Field.Store.NO));
        doc.add(new StringField(CONVERSATION, conversationId, Field.Store.YES));
        doc.add(new StringField(USER, userId, Field.Store.NO));
        write(() -> writer.updateDocument(id, doc));
    }

    public void memberLeft(String conversationId, String userId) {
        write(() -> writer.deleteDocuments(memberTerm(conversationId, userId)));
    }

    /** Removes everything (a rebuild starts from empty). */
    public void clear() {
        write(writer::deleteAll);
    }

    /**
     * Removes every message of this sender, then rewrites the segments that held them and commits, so their text is
     * gone from the index files, not only hidden. Returns how many messages were removed. Messages of the sender up to
     * stream position {@code upTo} (the head when their keys were destroyed) that the projection reads afterwards (it
     * may have decrypted them just before) are not indexed; their later messages, under a new key, are.
     */
    public long purgeSender(String senderId, long upTo, Map<String, String> commitData) {
        return onIndexThread("purge", () -> purge(senderId, upTo, commitData));
    }

    private synchronized long purge(String senderId, long upTo, Map<String, String> commitData) {
        erasedUpTo.merge(senderId, upTo, Math::max);
        Query bySender = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(KIND, MESSAGE)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(SENDER, senderId)), BooleanClause.Occur.FILTER)
                .build();
        Term sender = new Term(SENDER, senderId);
        try {
            searchers.maybeRefreshBlocking();
            long removed = withSearcher(searcher -> (long) searcher.count(bySender));
            Set<String> filesWithText = withSearcher(searcher -> filesOfSegmentsHolding(searcher.getIndexReader(),
                    sender));
            writer.deleteDocuments(bySender);
            // A merge already running when the documents were deleted writes a segment that still holds them (marked
            // deleted), and forceMergeDeletes leaves segments under merge alone: the word was found in such a
            // segment's file after a purge. A segment whose documents were all the sender's is dropped from the
            // reader at once, so the look below cannot see it while a merge still reads it into its new segment.
            // A merge the commit's flush starts may also end before the searchers refresh: they then see the
            // rewritten segment while the commit still refers to the old one, whose files stay (one purge in six
            // under load waited for them in vain). So: wait for running merges, rewrite, commit, and look again until
            // no merge runs and no segment of the searchers or of the last commit holds a deleted document of the
            // sender. Segments with only live ones (messages under a new key, indexed meanwhile) are not waited for.
            for (int round = 1; ; round++) {
                awaitRunningMerges();
                writer.forceMergeDeletes(true);
                commitHere(commitData);
                writer.deleteUnusedFiles();
                boolean commitHolds;
                try (DirectoryReader committed = DirectoryReader.open(directory)) {
                    commitHolds = holdsDeletedDocumentsOf(committed, sender, bySender, filesWithText);
                }
                boolean searchersHold = withSearcher(searcher -> holdsDeletedDocumentsOf(searcher.getIndexReader(),
                        sender, bySender, filesWithText));
                if (!merging() && !commitHolds && !searchersHold) {
                    awaitDeleted(filesWithText);
                    return removed;
                }
                if (round == PURGE_ROUNDS) {
                    throw new IllegalStateException("the search index still holds deleted messages of an erased"
                            + " sender after " + round + " rewrites");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not purge the search index", e);
        }
    }

    private static final int PURGE_ROUNDS = 20;

    /** The files of this reader's segments that hold a document of this sender, live or deleted. */
    private static Set<String> filesOfSegmentsHolding(IndexReader reader, Term sender) throws IOException {
        Set<String> files = new TreeSet<>();
        for (LeafReaderContext leaf : reader.leaves()) {
            if (leaf.reader().docFreq(sender) > 0
                    && FilterLeafReader.unwrap(leaf.reader()) instanceof SegmentReader segment) {
                files.addAll(segment.getSegmentInfo().files());
            }
        }
        return files;
    }

    /**
     * Returns once none of these files is in the index directory any more. Lucene deletes a rewritten segment's files
     * when neither the last commit nor an open reader refers to them; a search holding an older reader delays that
     * until it is done, so this refreshes, deletes what is unreferenced and looks again, for up to 10 s. The erasure
     * answers only then: its promise is about the files, not about what searches see (ErasureOnDiskTest found a
     * purged word in two segment files once, under a full test suite's load).
     *
     * @throws IllegalStateException naming the files still present after 10 s
     */
    private void awaitDeleted(Set<String> files) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Set<String> present = new TreeSet<>(List.of(directory.listAll()));
            present.retainAll(files);
            if (present.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the search index files " + present + " still hold an erased sender's"
                        + " text after their segments were rewritten; the last commit refers to "
                        + SegmentInfos.readLatestCommit(directory).files(true));
            }
            searchers.maybeRefreshBlocking();
            writer.deleteUnusedFiles();
            pause(20);
        }
    }

    /**
     * Whether a segment of this reader still holds a deleted document of this sender (a term counts those too); the
     * files of each such segment are added to {@code files}. A segment that holds only live documents of the sender
     * (messages under a new key, indexed while the purge ran) is not theirs to wait for: those files stay.
     */
    private static boolean holdsDeletedDocumentsOf(IndexReader reader, Term sender, Query liveOfSender,
                                                   Set<String> files) throws IOException {
        boolean holding = false;
        for (LeafReaderContext leaf : reader.leaves()) {
            if (leaf.reader().docFreq(sender) > new IndexSearcher(leaf.reader()).count(liveOfSender)) {
                holding = true;
                if (FilterLeafReader.unwrap(leaf.reader()) instanceof SegmentReader segment) {
                    files.addAll(segment.getSegmentInfo().files());
                }
            }
        }
        return holding;
    }

    private boolean merging() {
        return writer.hasPendingMerges() || !writer.getMergingSegments().isEmpty();
    }

    private void awaitRunningMerges() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (merging() && System.nanoTime() < deadline) {
            pause(10);
        }
    }

    /**
     * Sleeps between two looks of the purge. The purge runs on the index's own threads ({@link #onIndexThread}), which
     * nothing interrupts: an erasure whose caller gives up still finishes (its promise is about the files).
     */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while purging the search index", e);
        }
    }

    /** Makes the writes so far visible to searches (not yet durable). */
    public void refresh() {
        onIndexThread("refresh", searchers::maybeRefreshBlocking);
    }

    /** Makes the writes so far durable, with {@code data} (the tracking token) in the same commit, and visible. */
    public void commit(Map<String, String> data) {
        onIndexThread("commit", () -> commitHere(data));
    }

    private synchronized void commitHere(Map<String, String> data) throws IOException {
        writer.setLiveCommitData(Map.copyOf(data).entrySet());
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    /**
     * Runs file work of the index on the index's own threads and waits for it, uninterruptibly: an interrupt of the
     * caller (kept set for it) cannot reach the files through this work (see the class comment). A failure carries
     * the caller's stack as a suppressed exception.
     *
     * @param what names the work in the message of an {@link IOException}'s wrapper ("could not ... the search index")
     * @throws UncheckedIOException when the work fails with an {@link IOException}; its other exceptions as they are
     * @throws AlreadyClosedException once the index is closed
     */
    private <T> T onIndexThread(String what, IOSupplier<T> work) {
        CompletableFuture<T> done;
        try {
            done = CompletableFuture.supplyAsync(() -> {
                try {
                    return work.get();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not " + what + " the search index", e);
                }
            }, indexThreads);
        } catch (RejectedExecutionException e) {
            throw new AlreadyClosedException("the search index is closed", e);
        }
        try {
            return done.join();
        } catch (CompletionException e) {
            e.getCause().addSuppressed(new Exception("the caller of the search index's " + what));
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** {@link #onIndexThread(String, IOSupplier)} for work without a result. */
    private void onIndexThread(String what, IndexWrite work) {
        onIndexThread(what, () -> {
            work.run();
            return null;
        });
    }

    /** The data stored with the last commit (empty for a new index). */
    public Map<String, String> committedData() {
        Map<String, String> data = new HashMap<>();
        Iterable<Map.Entry<String, String>> live = writer.getLiveCommitData();
        if (live != null) {
            live.forEach(e -> data.put(e.getKey(), e.getValue()));
        }
        return data;
    }

    /** The conversations {@code userId} is a member of, as far as the index has seen. */
    public Set<String> conversationsOf(String userId) {
        return withSearcher(searcher -> conversationsOf(searcher, userId));
    }

    /**
     * Messages of the user's conversations (or of one of them) matching {@code text}, newest first (by position in
     * the event stream), below {@code before} when given.
     *
     * @throws ForbiddenException when {@code conversationId} is given and the user is not a member
     */
    public Page search(String userId, String text, String conversationId, int limit, Long before) {
        Query words = parse(text);
        if (!hasWordToFind(words)) {
            throw new InvalidCommandException(NO_WORD);
        }
        return withSearcher(searcher -> {
            Set<String> conversations = conversationsOf(searcher, userId);
            if (conversationId != null) {
                if (!conversations.contains(conversationId)) {
                    throw new ForbiddenException("not a member of this conversation");
                }
                conversations = Set.of(conversationId);
            }
            if (conversations.isEmpty()) {
                return new Page(List.of(), null);
            }
            BooleanQuery.Builder query = new BooleanQuery.Builder()
                    .add(words, BooleanClause.Occur.MUST)
                    .add(new TermQuery(new Term(KIND, MESSAGE)), BooleanClause.Occur.FILTER)
                    .add(new TermInSetQuery(CONVERSATION,
                            conversations.stream().map(BytesRef::new).toList()), BooleanClause.Occur.FILTER);
            if (before != null) {
                query.add(LongPoint.newRangeQuery(ORDER, Long.MIN_VALUE, before - 1), BooleanClause.Occur.FILTER);
            }
            TopFieldDocs top = searcher.search(query.build(), limit + 1, NEWEST_FIRST, false);
            int n = Math.min(limit, top.scoreDocs.length);
            int[] docIds = new int[n];
            for (int i = 0; i < n; i++) {
                docIds[i] = top.scoreDocs[i].doc;
            }
            Object[] marks = highlighter(searcher).ranges(TEXT, words, docIds).get(TEXT);
            List<SearchHit> hits = new ArrayList<>(n);
            long last = 0;
            for (int i = 0; i < n; i++) {
                Document doc = searcher.storedFields().document(docIds[i]);
                last = doc.getField(ORDER).numericValue().longValue();
                @SuppressWarnings("unchecked")
                List<Highlight> ranges = marks[i] == null ? List.of() : (List<Highlight>) marks[i];
                IndexableFieldValue edited = IndexableFieldValue.of(doc, EDITED_AT);
                hits.add(new SearchHit(doc.get(CONVERSATION), doc.get(MESSAGE_ID),
                        doc.getField(SEQ).numericValue().longValue(), doc.get(SENDER), doc.get(TEXT),
                        Instant.ofEpochMilli(doc.getField(SENT_AT).numericValue().longValue()),
                        edited.instant(), ranges));
            }
            return new Page(hits, top.scoreDocs.length > limit ? last : null);
        });
    }

    /** How many messages the index holds (for tests and the benchmark). */
    public int messageCount() {
        return withSearcher(searcher -> searcher.count(new TermQuery(new Term(KIND, MESSAGE))));
    }

    /** Closes the index (writing what Lucene still holds); a second call does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            onIndexThread("close", () -> {
                synchronized (this) {
                    searchers.close();
                    writer.close();
                    directory.close();
                }
            });
        } finally {
            indexThreads.shutdown();
        }
    }

    public boolean isOpen() {
        return writer.isOpen();
    }

    /**
     * The user's words as a query: all of them must occur (AND), {@code "quoted words"} must occur together, a word
     * ending in {@code *} is a prefix, {@code -word} excludes. Other characters are plain text: the parser never fails.
     */
    Query parse(String text) {
        SimpleQueryParser parser = new SimpleQueryParser(analyzer, Map.of(TEXT, 1f),
                SimpleQueryParser.PHRASE_OPERATOR | SimpleQueryParser.PREFIX_OPERATOR
                        | SimpleQueryParser.NOT_OPERATOR | SimpleQueryParser.WHITESPACE_OPERATOR);
        parser.setDefaultOperator(BooleanClause.Occur.MUST);
        Query query = parser.parse(text);
        return query == null ? new MatchNoDocsQuery() : query;
    }

    /** The answer to a query without a word to find. */
    static final String NO_WORD = "q has no word to find: give at least one word of letters or digits ('*' alone,"
            + " punctuation and -excluded words find nothing by themselves)";

    /**
     * Whether {@code query} asks for at least one word: a term or a phrase (what the analyzer kept), or a prefix with a
     * letter or digit in it, that is not excluded. Without one a query would match everything ({@code *}, an empty
     * prefix) or nothing (punctuation, which has no words; only exclusions), and which one depended on how the
     * operators combined ({@code *} found every message, {@code * * *} none): neither is a search, so both are
     * refused.
     */
    static boolean hasWordToFind(Query query) {
        boolean[] found = {false};
        query.visit(new QueryVisitor() {
            @Override
            public void consumeTerms(Query leaf, Term... terms) {
                found[0] |= terms.length > 0;
            }

            @Override
            public void consumeTermsMatching(Query leaf, String field, Supplier<ByteRunAutomaton> automaton) {
                // a prefix is not analysed (only normalised): "**" asks for terms starting with '*', which no word does
                found[0] |= leaf instanceof PrefixQuery prefix
                        && prefix.getPrefix().text().codePoints().anyMatch(Character::isLetterOrDigit);
            }

            @Override
            public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                return occur == BooleanClause.Occur.MUST_NOT ? QueryVisitor.EMPTY_VISITOR : this;
            }
        });
        return found[0];
    }

    private RangeHighlighter highlighter(IndexSearcher searcher) {
        return new RangeHighlighter(UnifiedHighlighter.builder(searcher, analyzer)
                .withBreakIterator(WholeBreakIterator::new) // the whole text is one passage: the client shows all of it
                .withFormatter(new RangeFormatter())
                .withMaxLength(Integer.MAX_VALUE - 1));
    }

    /** Lucene's unified highlighter, asked for the formatter's objects (ranges) rather than strings. */
    private static final class RangeHighlighter extends UnifiedHighlighter {
        RangeHighlighter(Builder builder) {
            super(builder);
        }

        Map<String, Object[]> ranges(String field, Query query, int[] docIds) throws IOException {
            return highlightFieldsAsObjects(new String[]{field}, query, docIds, new int[]{1});
        }
    }

    private static Set<String> conversationsOf(IndexSearcher searcher, String userId) throws IOException {
        Query memberships = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(KIND, MEMBER)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(USER, userId)), BooleanClause.Occur.FILTER)
                .build();
        int count = searcher.count(memberships);
        if (count == 0) {
            return Set.of();
        }
        TopDocs all = searcher.search(memberships, count);
        Set<String> conversations = new LinkedHashSet<>();
        for (ScoreDoc hit : all.scoreDocs) {
            conversations.add(searcher.storedFields().document(hit.doc, Set.of(CONVERSATION)).get(CONVERSATION));
        }
        return conversations;
    }

    private Optional<Document> find(Term id) {
        refresh(); // the message may have been written in this very batch
        return withSearcher(searcher -> {
            TopDocs top = searcher.search(new TermQuery(id), 1);
            return top.scoreDocs.length == 0 ? Optional.<Document>empty()
                    : Optional.of(searcher.storedFields().document(top.scoreDocs[0].doc));
        });
    }

    private static Document messageDocument(String conversationId, String messageId, long seq, String senderId,
                                            String text, Instant sentAt, Instant editedAt, long order) {
        Document doc = new Document();
        doc.add(new StringField(ID, messageTerm(conversationId, seq).text(), Field.Store.NO));
        doc.add(new StringField(KIND, MESSAGE, Field.Store.NO));
        doc.add(new StringField(CONVERSATION, conversationId, Field.Store.YES));
        doc.add(new StringField(SENDER, senderId == null ? "" : senderId, Field.Store.YES));
        doc.add(new StoredField(MESSAGE_ID, messageId == null ? "" : messageId));
        doc.add(new StoredField(SEQ, seq));
        doc.add(new TextField(TEXT, text, Field.Store.YES));
        doc.add(new LongPoint(ORDER, order));
        doc.add(new NumericDocValuesField(ORDER, order));
        doc.add(new StoredField(ORDER, order));
        doc.add(new StoredField(SENT_AT, (sentAt == null ? Instant.EPOCH : sentAt).toEpochMilli()));
        if (editedAt != null) {
            doc.add(new StoredField(EDITED_AT, editedAt.toEpochMilli()));
        }
        return doc;
    }

    private static Term messageTerm(String conversationId, long seq) {
        return new Term(ID, "m/" + conversationId + "/" + seq);
    }

    private static Term memberTerm(String conversationId, String userId) {
        return new Term(ID, "c/" + conversationId + "/" + userId);
    }

    private interface IndexWrite {
        void run() throws IOException;
    }

    private void write(IndexWrite change) {
        try {
            change.run();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the search index", e);
        }
    }

    private interface SearcherWork<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    private <T> T withSearcher(SearcherWork<T> work) {
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return work.apply(searcher);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not search the index", e);
        }
    }

    /** A stored long field read as an instant, when present. */
    private record IndexableFieldValue(Long millis) {
        static IndexableFieldValue of(Document doc, String field) {
            return new IndexableFieldValue(doc.getField(field) == null ? null
                    : doc.getField(field).numericValue().longValue());
        }

        Instant instant() {
            return millis == null ? null : Instant.ofEpochMilli(millis);
        }
    }

    /** Turns a passage into its matched ranges instead of markup, so nothing the client shows is ever HTML. */
    private static final class RangeFormatter extends PassageFormatter {
        @Override
        public Object format(Passage[] passages, String content) {
            List<Highlight> ranges = new ArrayList<>();
            for (Passage passage : passages) {
                for (int i = 0; i < passage.getNumMatches(); i++) {
                    int start = passage.getMatchStarts()[i];
                    int end = passage.getMatchEnds()[i];
                    if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).end() >= start) {
                        Highlight previous = ranges.remove(ranges.size() - 1);
                        ranges.add(new Highlight(previous.start(), Math.max(previous.end(), end)));
                    } else {
                        ranges.add(new Highlight(start, end));
                    }
                }
            }
            return ranges;
        }
    }
}
