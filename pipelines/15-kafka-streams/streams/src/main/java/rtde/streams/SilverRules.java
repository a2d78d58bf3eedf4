package rtde.streams;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.internal.bind.TypeAdapters;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;

/**
 * The data contract's Bronze test and Silver rules (docs/data-contract.md §2 and §3), with no
 * Kafka in them: the topology applies them, and the local test runs them on the generator's
 * events against the oracle with nothing but Gson on the class path.
 */
public final class SilverRules {
  /** The money fields: the event's name, then Silver's. */
  static final String[][] MONEY = {
    {"fare_amount", "fare_amount"},
    {"extra", "extra"},
    {"mta_tax", "mta_tax"},
    {"tip_amount", "tip_amount"},
    {"tolls_amount", "tolls_amount"},
    {"improvement_surcharge", "improvement_surcharge"},
    {"total_amount", "total_amount"},
    {"congestion_surcharge", "congestion_surcharge"},
    {"Airport_fee", "airport_fee"},
    {"cbd_congestion_fee", "cbd_congestion_fee"},
  };

  private static final TypeAdapter<JsonElement> ELEMENT = TypeAdapters.JSON_ELEMENT;

  private final LocalDateTime windowStart;
  private final LocalDateTime windowEnd;

  /** The generation window [start, end), from the oracle's `window`: never a constant. */
  public SilverRules(LocalDateTime windowStart, LocalDateTime windowEnd) {
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
  }

  public static SilverRules fromOracle(JsonObject oracle) {
    JsonObject window = oracle.getAsJsonObject("window");
    return new SilverRules(
        LocalDateTime.parse(window.get("start").getAsString()),
        LocalDateTime.parse(window.get("end").getAsString()));
  }

  /**
   * The message as a JSON object, or null when it is not one (a dead letter). Strict JSON:
   * Gson's JsonParser is lenient (unquoted names, single quotes, trailing text), so the
   * element is read through a non-lenient reader and nothing may follow it.
   */
  public static JsonObject bronze(byte[] value) {
    if (value == null) {
      return null;
    }
    try (JsonReader reader =
        new JsonReader(new StringReader(new String(value, StandardCharsets.UTF_8)))) {
      reader.setLenient(false);
      JsonElement element = ELEMENT.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT || !element.isJsonObject()) {
        return null;
      }
      return element.getAsJsonObject();
    } catch (IOException | RuntimeException notJson) {
      return null;
    }
  }

  /** The trip's Silver row, or null when a rule drops it. */
  public JsonObject silver(JsonObject event) {
    LocalDateTime pickup = timestamp(event, "tpep_pickup_datetime");
    LocalDateTime dropoff = timestamp(event, "tpep_dropoff_datetime");
    BigDecimal fare = decimal(event, "fare_amount");
    BigDecimal distance = decimal(event, "trip_distance");
    Long pickupZone = integer(event, "PULocationID");
    Long dropoffZone = integer(event, "DOLocationID");
    boolean kept =
        pickup != null
            && dropoff != null
            && dropoff.isAfter(pickup)
            && fare != null
            && fare.signum() > 0
            && distance != null
            && distance.signum() >= 0
            && integer(event, "passenger_count") != null
            && inZoneTable(pickupZone)
            && inZoneTable(dropoffZone)
            && !pickup.isBefore(windowStart)
            && pickup.isBefore(windowEnd);
    if (!kept) {
      return null;
    }
    JsonObject row = new JsonObject();
    row.add("trip_id", event.get("trip_id"));
    row.add("vendor_id", event.get("VendorID"));
    row.addProperty("pickup_datetime", pickup.toString());
    row.addProperty("dropoff_datetime", dropoff.toString());
    row.add("passenger_count", event.get("passenger_count"));
    row.add("trip_distance", event.get("trip_distance"));
    row.add("rate_code_id", event.get("RatecodeID"));
    row.add("store_and_fwd_flag", event.get("store_and_fwd_flag"));
    row.addProperty("pickup_location_id", pickupZone);
    row.addProperty("dropoff_location_id", dropoffZone);
    row.add("payment_type", event.get("payment_type"));
    for (String[] money : MONEY) {
      BigDecimal amount = decimal(event, money[0]);
      row.add(
          money[1],
          amount == null ? null : new JsonPrimitive(amount.setScale(2, RoundingMode.HALF_UP)));
    }
    return row;
  }

  private static boolean inZoneTable(Long zone) {
    return zone != null && zone >= 1 && zone <= 265;
  }

  private static JsonPrimitive primitive(JsonObject event, String name) {
    JsonElement value = event.get(name);
    return value != null && value.isJsonPrimitive() ? value.getAsJsonPrimitive() : null;
  }

  /** A timestamp in the contract's `YYYY-MM-DDTHH:MM:SS`, or null when absent or unparsable. */
  private static LocalDateTime timestamp(JsonObject event, String name) {
    JsonPrimitive value = primitive(event, name);
    if (value == null || !value.isString()) {
      return null;
    }
    try {
      return LocalDateTime.parse(value.getAsString());
    } catch (DateTimeParseException unparsable) {
      return null;
    }
  }

  /** A JSON number as the exact decimal that was sent, or null. */
  static BigDecimal decimal(JsonObject event, String name) {
    JsonPrimitive value = primitive(event, name);
    if (value == null || !value.isNumber()) {
      return null;
    }
    return new BigDecimal(value.getAsString());
  }

  private static Long integer(JsonObject event, String name) {
    BigDecimal value = decimal(event, name);
    if (value == null) {
      return null;
    }
    try {
      return value.longValueExact();
    } catch (ArithmeticException notWhole) {
      return null;
    }
  }
}
