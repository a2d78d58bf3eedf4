package rtde.streams;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topology's logic without Kafka: each line of the generator's JSON lines is one message,
 * split into Bronze and dead letters by {@link SilverRules#bronze}, Silver by the rules and
 * the first copy of each trip_id (what the topology's store does), and Gold computed from the
 * Silver rows as {@code TaxiStreams verify} computes it from the Silver topic.
 *
 * <pre>
 *   java -cp gson.jar:CLASSES rtde.streams.LocalCheck --jsonl E.jsonl --oracle O.json \
 *       --zones taxi_zone_lookup.csv [--window-start TS]
 * </pre>
 *
 * <p>Prints bronze_rows, dead_letters, silver_rows, gold_lists and gold_lists_equal.
 * Compiled with javac against Gson alone (tests/engine_kafka_streams.rs): no Kafka jar is
 * needed, so it runs where Maven Central cannot be reached.
 */
public final class LocalCheck {
  private LocalCheck() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = Cli.options(argv, 0);
    JsonObject oracle = Cli.json(Path.of(args.get("--oracle")));
    SilverRules rules = SilverRules.fromOracle(oracle);
    if (args.containsKey("--window-start")) {
      rules =
          new SilverRules(
              LocalDateTime.parse(args.get("--window-start")),
              LocalDateTime.parse(oracle.getAsJsonObject("window").get("end").getAsString()));
    }
    Gold gold = new Gold(Gold.boroughs(Path.of(args.get("--zones"))));
    long bronze = 0;
    long dead = 0;
    Set<String> seen = new HashSet<>();
    List<String> lines = Files.readAllLines(Path.of(args.get("--jsonl")), StandardCharsets.UTF_8);
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject event = SilverRules.bronze(line.getBytes(StandardCharsets.UTF_8));
      if (event == null) {
        dead++;
        continue;
      }
      bronze++;
      JsonObject row = rules.silver(event);
      if (row != null && seen.add(row.get("trip_id").getAsString())) {
        gold.add(row);
      }
    }
    JsonObject expected = oracle.getAsJsonObject("gold");
    List<String> differ = gold.differences(expected);
    differ.forEach(name -> System.err.println("Gold list '" + name + "' differs from the oracle"));
    System.out.println("bronze_rows=" + bronze);
    System.out.println("dead_letters=" + dead);
    System.out.println("silver_rows=" + seen.size());
    System.out.println("gold_lists=" + expected.size());
    System.out.println("gold_lists_equal=" + (expected.size() - differ.size()));
  }
}
