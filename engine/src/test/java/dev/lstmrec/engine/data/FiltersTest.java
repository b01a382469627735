package dev.lstmrec.engine.data;

import static dev.lstmrec.engine.data.TestFiles.render;
import static dev.lstmrec.engine.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rating and k-core filters, against hand-worked results and a brute-force k-core on random data. */
class FiltersTest {
    @TempDir
    Path dir;

    private static String line(String user, String item, double rating, long time) {
        return user + "\t" + item + "\t" + rating + "\t" + time + "\n";
    }

    @Test
    void minRatingKeepsRatingsAtOrAboveIt() throws IOException {
        String text = line("1", "a", 4, 1) + line("1", "b", 3.5, 2) + line("1", "c", 5, 3) + line("2", "a", 1, 1);
        Path p = write(dir, "r.tsv", text);
        ReadOptions opts = ReadOptions.builder().columns("user,item,rating,time").minRating(4).build();
        assertEquals("1:a,c", render(DataReader.read(p, opts)));
    }

    @Test
    void kCoreCascadesUntilStable() throws IOException {
        // d and e occur once; dropping them leaves u3 and u4 with one item each; dropping those leaves c with none.
        String text = line("u1", "a", 5, 1) + line("u3", "c", 5, 1) + line("u1", "b", 5, 2) + line("u3", "d", 5, 2)
                + line("u2", "a", 5, 1) + line("u4", "c", 5, 1) + line("u2", "b", 5, 2) + line("u4", "e", 5, 2);
        Path p = write(dir, "k.tsv", text);
        ReadOptions opts = ReadOptions.builder().format(Format.ML100K).minUserCount(2).minItemCount(2).build();
        Dataset d = DataReader.read(p, opts);
        assertEquals("u1:a,b u2:a,b", render(d));
        assertEquals(2, d.numItems());
    }

    @Test
    void countsOfZeroOrOneKeepEverything() throws IOException {
        String text = line("1", "a", 5, 1) + line("2", "b", 5, 1);
        Path p = write(dir, "k.tsv", text);
        ReadOptions opts = ReadOptions.builder().format(Format.ML100K).minUserCount(1).minItemCount(0).build();
        assertEquals("1:a 2:b", render(DataReader.read(p, opts)));
    }

    @Test
    void kCoreMatchesBruteForceOnRandomData() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 6000;
        IntList users = new IntList(n);
        IntList items = new IntList(n);
        for (int i = 0; i < n; i++) {
            users.add(r.nextInt(300));
            items.add((int) Math.floor(Math.pow(r.nextDouble(), 2) * 200)); // skewed, so the filter bites
        }
        boolean[] fast = KCore.filter(users, items, 300, 200, 18, 10);
        boolean[] slow = bruteForce(users, items, 300, 200, 18, 10);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(slow[i], fast[i], "interaction " + i);
            if (fast[i]) kept++;
        }
        assertTrue(kept > n / 10 && kept < n * 3 / 4, "the filter must keep some and drop some: " + kept);
    }

    /** Recount from scratch after each removal round: slow and obviously right. */
    private static boolean[] bruteForce(IntList users, IntList items, int nu, int ni, int minU, int minI) {
        int n = users.size();
        boolean[] alive = new boolean[n];
        Arrays.fill(alive, true);
        while (true) {
            int[] cu = new int[nu];
            int[] ci = new int[ni];
            for (int i = 0; i < n; i++) {
                if (alive[i]) {
                    cu[users.get(i)]++;
                    ci[items.get(i)]++;
                }
            }
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                if (alive[i] && (cu[users.get(i)] < minU || ci[items.get(i)] < minI)) {
                    alive[i] = false;
                    changed = true;
                }
            }
            if (!changed) return alive;
        }
    }
}
