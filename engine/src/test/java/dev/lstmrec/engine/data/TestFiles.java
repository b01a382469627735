package dev.lstmrec.engine.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the data tests: writing small files and rendering a dataset by external ids. */
final class TestFiles {
    private TestFiles() {}

    static Path write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    /** "user:item,item user:item" in user index order, using external ids: compact to compare in assertions. */
    static String render(Dataset d) {
        List<String> users = new ArrayList<>();
        for (int u = 0; u < d.numUsers(); u++) {
            StringBuilder sb = new StringBuilder(d.userId(u)).append(':');
            int[] s = d.sequence(u);
            for (int i = 0; i < s.length; i++) sb.append(i == 0 ? "" : ",").append(d.itemId(s[i]));
            users.add(sb.toString());
        }
        return String.join(" ", users);
    }
}
