package io.switchyard.wireguard.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Loads Wycheproof test files from the test resources (vectors/, Apache-2.0, LICENSE beside them). */
final class Vectors {
    private Vectors() {}

    /** One test case with the fields of its group merged in (group fields prefixed "group."). */
    record Case(Map<String, Object> fields) {
        String str(String k) {
            return (String) fields.get(k);
        }

        byte[] hex(String k) {
            return HexFormat.of().parseHex(str(k));
        }

        int tcId() {
            return ((Double) fields.get("tcId")).intValue();
        }

        String result() {
            return str("result");
        }

        @SuppressWarnings("unchecked")
        List<String> flags() {
            return (List<String>) fields.get("flags");
        }

        @Override
        public String toString() {
            return "tcId " + tcId() + " " + str("comment") + " " + flags();
        }
    }

    static List<Case> wycheproof(String file) {
        String text;
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource vectors/" + file);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> root = Json.obj(Json.parse(text));
        List<Case> cases = new ArrayList<>();
        for (Object g : Json.arr(root.get("testGroups"))) {
            for (Object t : Json.arr(Json.obj(g).get("tests"))) {
                cases.add(new Case(Json.obj(t)));
            }
        }
        int declared = ((Double) root.get("numberOfTests")).intValue();
        if (declared != cases.size()) {
            throw new IllegalStateException(file + " declares " + declared + " tests, found " + cases.size());
        }
        return cases;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", "").replace(":", ""));
    }
}
