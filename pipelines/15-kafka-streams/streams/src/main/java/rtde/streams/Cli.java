package rtde.streams;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** What the entry points share, without Kafka: `--name value` options and JSON files. */
final class Cli {
  private Cli() {}

  /** `--name value` pairs after the first `from` arguments. */
  static Map<String, String> options(String[] argv, int from) {
    Map<String, String> options = new HashMap<>();
    for (int i = from; i + 1 < argv.length; i += 2) {
      options.put(argv[i], argv[i + 1]);
    }
    return options;
  }

  static JsonObject json(Path path) throws IOException {
    return JsonParser.parseString(Files.readString(path)).getAsJsonObject();
  }
}
