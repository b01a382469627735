package dev.lstmrec.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Leave-one-out on users of length 5, 2 and 3, checked position by position. */
class LeaveOneOutTest {
    private final Dataset data = Dataset.builder("test")
            .add("long", "a").add("long", "b").add("long", "c").add("long", "d").add("long", "e")
            .add("short", "f").add("short", "a")
            .add("three", "c").add("three", "g").add("three", "b")
            .build();
    private final Split split = LeaveOneOut.split(data);

    private int item(String id) {
        return data.itemIndex(id).orElseThrow();
    }

    @Test
    void evaluatedUserKeepsAllButTheLastTwoForTraining() {
        assertTrue(split.evaluated(0));
        assertArrayEquals(new int[] {item("a"), item("b"), item("c")}, split.trainSequence(0));
        assertEquals(item("d"), split.validTarget(0));
        assertEquals(item("e"), split.testTarget(0));
        assertArrayEquals(split.trainSequence(0), split.validHistory(0));
        assertArrayEquals(new int[] {item("a"), item("b"), item("c"), item("d")}, split.testHistory(0));
    }

    @Test
    void shortUserTrainsOnEverythingAndIsNotEvaluated() {
        assertFalse(split.evaluated(1));
        assertArrayEquals(new int[] {item("f"), item("a")}, split.trainSequence(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> split.testTarget(1));
        assertTrue(e.getMessage().contains("not evaluated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> split.validTarget(1));
        assertThrows(IllegalArgumentException.class, () -> split.testHistory(1));
    }

    @Test
    void userOfExactlyThreeHasOneTrainingItem() {
        assertTrue(split.evaluated(2));
        assertArrayEquals(new int[] {item("c")}, split.trainSequence(2));
        assertEquals(item("g"), split.validTarget(2));
        assertEquals(item("b"), split.testTarget(2));
        assertEquals(1, split.trainLength(2));
    }

    @Test
    void evaluatedUsersAreListedInOrder() {
        assertArrayEquals(new int[] {0, 2}, split.evaluatedUsers());
        assertEquals(2, split.numEvaluated());
        assertEquals(data, split.dataset());
    }
}
