package dev.lstmrec.engine.eval;

// The session protocol's time-based validation split: the sessions that ended last are held out whole (by their last
// event's time, not by their order in the file), enough of them for the target number of positions, and every other
// session trains whole.

import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatestSessionsHoldoutTest {
    @TempDir
    Path dir;

    @Test
    void holdsOutTheSessionsThatEndedLastWholeAndTrainsOnTheRest() throws IOException {
        // 40 sessions of 5 items; the file lists them in reverse time order, so file order and time order disagree.
        StringBuilder b = new StringBuilder("SessionId\tItemId\tTime\n");
        for (int s = 39; s >= 0; s--) {
            for (int i = 0; i < 5; i++) b.append("s").append(s).append('\t').append("i").append((s + i) % 13).append('\t').append(100 * s + i).append('\n');
        }
        b.append("single\ti1\t999999\n"); // the latest session of all, but one item: nothing to validate
        Path f = dir.resolve("log.tsv");
        Files.writeString(f, b);
        Dataset data = DataReader.read(f, ReadOptions.builder().format(Format.GRU4REC).build());

        LatestSessionsHoldout h = LatestSessionsHoldout.split(data);
        // 160 positions: 2% is 3, the floor min(2000, 160 / 4) = 40 positions = the latest 10 sessions of 4 positions.
        assertEquals(10, h.validation().size());
        assertEquals(40, h.positions());
        List<String> held = new ArrayList<>();
        for (int[] s : h.validation()) held.add(data.itemId(s[0]));
        List<String> expected = new ArrayList<>();
        for (int s = 30; s < 40; s++) expected.add("i" + (s % 13));
        assertEquals(expected, held, "the latest sessions, oldest first");
        assertEquals(31, h.train().size(), "30 older sessions and the one-item session train");
        int[] s29 = data.sequence(data.userIndex("s29").getAsInt());
        assertTrue(h.train().stream().anyMatch(t -> java.util.Arrays.equals(t, s29)), "older sessions train whole");
        assertArrayEquals(data.sequence(data.userIndex("s39").getAsInt()), h.validation().get(9));
    }

    @Test
    void aLargeLogHoldsOutTwoPercentOfItsPositionsInFileOrderWithoutTimes() {
        Dataset.Builder b = Dataset.builder("mem");
        for (int s = 0; s < 40_000; s++) for (int i = 0; i < 4; i++) b.add("s" + s, "i" + ((s * 7 + i) % 500));
        Dataset data = b.build();
        LatestSessionsHoldout h = LatestSessionsHoldout.split(data);
        assertEquals(800, h.validation().size(), "120,000 positions: 2% = 2,400 = 800 sessions of 3");
        assertEquals(2_400, h.positions());
        assertEquals(39_200, h.train().size());
        assertArrayEquals(data.sequence(39_999), h.validation().get(799), "without times the latest is the last in the file");
    }
}
