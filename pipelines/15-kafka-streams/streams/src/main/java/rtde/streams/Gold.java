package rtde.streams;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The four Gold aggregates of docs/data-contract.md §4 (daily, borough, payment type, hourly:
 * trips and revenue in cents), computed from decoded Silver rows and written in the oracle's
 * shape, so that a Silver topic can be checked against the oracle value by value.
 */
public final class Gold {
  /** The four lists, each keyed by its sort key: sorted as the oracle sorts them. */
  private final Map<String, TreeMap<Comparable<?>, long[]>> lists = new HashMap<>();

  private final Map<Long, String> boroughs;

  public Gold(Map<Long, String> boroughs) {
    this.boroughs = boroughs;
    for (String name : List.of("daily", "borough", "payment_type", "hourly")) {
      lists.put(name, new TreeMap<>());
    }
  }

  /** The borough of each zone, from the dbt seed taxi_zone_lookup.csv (the generator's table). */
  public static Map<Long, String> boroughs(Path zoneLookup) throws IOException {
    Map<Long, String> boroughs = new HashMap<>();
    List<String> lines = Files.readAllLines(zoneLookup, StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.split(",", -1);
      boroughs.put(Long.parseLong(fields[0]), fields[1].replace("\"", ""));
    }
    return boroughs;
  }

  public void add(JsonObject silver) {
    long cents =
        new BigDecimal(silver.get("total_amount").getAsString())
            .movePointRight(2)
            .longValueExact();
    String pickup = silver.get("pickup_datetime").getAsString();
    long zone = silver.get("pickup_location_id").getAsLong();
    String borough = boroughs.get(zone);
    if (borough == null) {
      throw new IllegalArgumentException("zone " + zone + " is not in the zone table");
    }
    count("daily", pickup.substring(0, 10), cents);
    count("borough", borough, cents);
    count("payment_type", silver.get("payment_type").getAsLong(), cents);
    count("hourly", Long.parseLong(pickup.substring(11, 13)), cents);
  }

  private void count(String list, Comparable<?> key, long cents) {
    long[] figures = lists.get(list).computeIfAbsent(key, k -> new long[2]);
    figures[0] += 1;
    figures[1] += cents;
  }

  /** One list in the oracle's shape: [{KEY: …, "trips": N, "revenue_cents": N}, …]. */
  public JsonArray list(String name) {
    String key = name.equals("daily") ? "date" : name.equals("hourly") ? "hour" : name;
    JsonArray rows = new JsonArray();
    for (Map.Entry<Comparable<?>, long[]> entry : lists.get(name).entrySet()) {
      JsonObject row = new JsonObject();
      Object value = entry.getKey();
      if (value instanceof Long number) {
        row.addProperty(key, number);
      } else {
        row.addProperty(key, (String) value);
      }
      row.addProperty("trips", entry.getValue()[0]);
      row.addProperty("revenue_cents", entry.getValue()[1]);
      rows.add(row);
    }
    return rows;
  }

  /** The names of the oracle's Gold lists this Gold does not equal, in the oracle's order. */
  public List<String> differences(JsonObject oracleGold) {
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, JsonElement> expected : oracleGold.entrySet()) {
      if (!lists.containsKey(expected.getKey()) || !same(list(expected.getKey()), expected.getValue())) {
        differ.add(expected.getKey());
      }
    }
    return differ;
  }

  /** Row by row, field by field; numbers by their exact value (the oracle's are integers). */
  private static boolean same(JsonArray built, JsonElement expected) {
    if (!expected.isJsonArray() || expected.getAsJsonArray().size() != built.size()) {
      return false;
    }
    JsonArray rows = expected.getAsJsonArray();
    for (int i = 0; i < built.size(); i++) {
      JsonObject a = built.get(i).getAsJsonObject();
      JsonObject b = rows.get(i).getAsJsonObject();
      if (!a.keySet().equals(b.keySet())) {
        return false;
      }
      for (String field : a.keySet()) {
        if (!a.get(field).getAsString().equals(b.get(field).getAsString())) {
          return false;
        }
      }
    }
    return true;
  }
}
