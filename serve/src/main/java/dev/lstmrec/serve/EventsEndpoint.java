package dev.lstmrec.serve;

// POST /events: checks the token (when the server has one), parses and validates the whole body (EventBatch), appends
// the batch to the journal as one record, and answers only after the fsync that covers it and after the events are in
// the live histories: an acknowledged event is both durable and visible to the user's next /recommend. The request
// thread does not wait for the fsync: the server's answering thread sends the answer when the batch is durable.
// Checked by LiveEventsTest (statuses, all-or-nothing, read-your-writes under concurrency, token, restart).

import com.sun.net.httpserver.HttpExchange;
import dev.lstmrec.engine.journal.EventJournal;
import dev.lstmrec.engine.journal.JournalEvent;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** The events endpoint over a journal (or its 404 when the server has none). */
final class EventsEndpoint {
    /** Longest wait for the fsync and the apply before answering 503. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(EventsEndpoint.class.getName());

    private final EventJournal journal;
    private final BearerToken token;
    private final LiveModel live;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong acknowledgedRequests = new AtomicLong();
    private final AtomicLong refusedRequests = new AtomicLong();
    private volatile String journalFailure;

    /** {@code journal} null: every request is a 404 naming --journal. {@code token} null: no token needed. */
    EventsEndpoint(EventJournal journal, BearerToken token, LiveModel live) {
        this.journal = journal;
        this.token = token;
        this.live = live;
    }

    boolean enabled() {
        return journal != null;
    }

    /** A batch on its way to the journal: its size and the stage that completes once it is durable and applied. */
    record Pending(int events, CompletableFuture<Long> applied) {}

    /**
     * Checks the token, parses the whole body and appends it to the journal (throwing {@link ApiException} for a
     * refused request). Returns at once: the answer comes from {@link #answer(Pending)} once {@code applied}
     * completes, so no request thread waits for the fsync.
     */
    Pending accept(HttpExchange ex) {
        if (journal == null) {
            throw new ApiException(404, "POST /events is off: start the server with --journal DIR to accept events"
                    + " (events the server cannot keep durably are not accepted)");
        }
        if (!ex.getRequestMethod().equals("POST")) throw Exchanges.wrongMethod(ex, "POST");
        if (token != null && !token.accepts(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"lstmrec\"");
            refusedRequests.incrementAndGet();
            throw new ApiException(401, "POST /events needs the header \"Authorization: Bearer <token>\" with the"
                    + " server's token (--token-file)");
        }
        EventBatch batch;
        try {
            batch = EventBatch.parse(Exchanges.readBody(ex, EventBatch.MAX_BODY_BYTES), System.currentTimeMillis() / 1000);
        } catch (ApiException e) {
            refusedRequests.incrementAndGet();
            throw e;
        }
        List<JournalEvent> events = batch.events();
        if (journalFailure != null) throw notKept(journalFailure);
        CompletableFuture<Long> durable;
        try {
            durable = journal.append(events);
        } catch (IllegalStateException closed) {
            throw new ApiException(503, "server is shutting down: events not accepted");
        }
        // Applied by whichever thread sees the fsync complete, even if this request has stopped waiting by then: the
        // histories must hold every durable event, in journal order.
        CompletableFuture<Long> applied = durable.whenComplete((end, failure) -> {
            if (failure == null) live.offerDurable(end - events.size(), events);
        });
        // The timeout goes on a copy: a timed-out `applied` would skip the apply above (whenComplete runs its action
        // only while its own stage is incomplete), and an event durable after the timeout must still be applied.
        return new Pending(events.size(), applied.copy().orTimeout(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * The answer to an accepted batch, once {@code p.applied()} has completed: counts and journal position, or
     * {@link ApiException} 503 when the journal failed or did not confirm in time. Must not run on the journal's
     * thread (it may wait for an earlier batch to be applied, which that thread does).
     */
    Map<String, Object> answer(Pending p) throws InterruptedException {
        long end;
        try {
            end = p.applied().get();
            live.awaitApplied(end, ACK_TIMEOUT);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) throw notConfirmed();
            journalFailure = String.valueOf(cause);
            LOG.log(System.Logger.Level.ERROR, "the event journal failed; /events refuses events from now on (restart the"
                    + " server to replay the journal)", cause);
            throw notKept(journalFailure);
        } catch (TimeoutException e) {
            throw notConfirmed();
        }
        accepted.addAndGet(p.events());
        acknowledgedRequests.incrementAndGet();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", p.events());
        answer.put("refused", List.of());
        answer.put("journal_position", end);
        return answer;
    }

    private static ApiException notConfirmed() {
        return new ApiException(503, "the journal did not confirm within " + ACK_TIMEOUT.toSeconds() + " s: the events"
                + " are not acknowledged (they may still be kept); retry later");
    }

    private static ApiException notKept(String failure) {
        return new ApiException(503, "the event journal failed (" + RecommendRequest.clip(failure) + "): events are not"
                + " accepted; see the server log");
    }

    /** Counters for {@code /info}. */
    Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events_accepted", accepted.get());
        m.put("requests_acknowledged", acknowledgedRequests.get());
        m.put("requests_refused", refusedRequests.get());
        if (journalFailure != null) m.put("journal_failure", journalFailure);
        return m;
    }
}
