package dev.lstmrec.engine.journal;

/**
 * One event of the journal: a user interacted with an item at {@code time}, in seconds since the epoch. Ids are
 * non-empty, valid Unicode and at most {@link EventJournal#MAX_ID_BYTES} bytes in UTF-8 ({@link EventJournal#append}
 * checks them).
 */
public record JournalEvent(String user, String item, long time) {}
