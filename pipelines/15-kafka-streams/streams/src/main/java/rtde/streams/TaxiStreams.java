package rtde.streams;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * P15's Kafka Streams application: raw → Bronze and dead letters → Silver, topic to topic.
 *
 * <pre>
 *   TaxiStreams run    --bootstrap broker:9092 --oracle /data/oracle.json [--timeout 600]
 *   TaxiStreams verify --bootstrap broker:9092 --oracle /data/oracle.json --zones FILE.csv
 * </pre>
 *
 * <p>{@code run} starts the topology and stops it once the application has committed every
 * raw message that was in the topic when it started (the generate stage has ended, so that is
 * every event), printing {@code raw_consumed=N}. {@code verify} reads the Silver topic to its
 * end, decodes every message and prints {@code silver_decoded=N}, {@code silver_duplicates=N},
 * {@code gold_lists=N} and {@code gold_lists_equal=N}: the oracle's four Gold lists computed
 * from the decoded values.
 */
public final class TaxiStreams {
  static final String RAW = "taxi.raw_trips";
  static final String BRONZE = "taxi.bronze_trips";
  static final String SILVER = "taxi.silver_trips";
  static final String DEAD_LETTERS = "taxi.raw_trips.dlq";
  static final String APPLICATION_ID = "rtde-p15-streams";
  static final String SEEN_STORE = "silver-trip-ids";

  private TaxiStreams() {}

  /**
   * The topology. Bronze is every message that is a JSON object, as received; the others go
   * to the dead-letter topic byte for byte. Silver applies the canonical rules to Bronze, then
   * keeps the first copy of each trip_id: a re-sent duplicate carries the same key (the
   * generator keys by trip_id, docs/data-contract.md §1), so both copies reach the same task
   * and its store of ids already seen, without a repartition.
   */
  static Topology topology(SilverRules rules) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), Serdes.Long()));
    KStream<String, byte[]> raw =
        builder.stream(RAW, Consumed.with(Serdes.String(), Serdes.ByteArray()));
    Map<String, KStream<String, byte[]>> split =
        raw.split(Named.as("raw-"))
            .branch((key, value) -> SilverRules.bronze(value) != null, Branched.as("bronze"))
            .defaultBranch(Branched.as("dead-letters"));
    split.get("raw-dead-letters").to(DEAD_LETTERS, Produced.with(Serdes.String(), Serdes.ByteArray()));
    KStream<String, byte[]> bronze = split.get("raw-bronze");
    bronze.to(BRONZE, Produced.with(Serdes.String(), Serdes.ByteArray()));
    bronze
        .mapValues(value -> rules.silver(SilverRules.bronze(value)))
        .filter((key, row) -> row != null)
        .process(FirstCopy::new, Named.as("first-copy"), SEEN_STORE)
        .mapValues(JsonObject::toString)
        .to(SILVER, Produced.with(Serdes.String(), Serdes.String()));
    return builder.build();
  }

  /** Forwards a Silver row only the first time its trip_id is seen. */
  static final class FirstCopy implements Processor<String, JsonObject, String, JsonObject> {
    private ProcessorContext<String, JsonObject> context;
    private KeyValueStore<String, Long> seen;

    @Override
    public void init(ProcessorContext<String, JsonObject> context) {
      this.context = context;
      this.seen = context.getStateStore(SEEN_STORE);
    }

    @Override
    public void process(Record<String, JsonObject> record) {
      String tripId = record.value().get("trip_id").getAsString();
      if (!tripId.equals(record.key())) {
        throw new IllegalStateException(
            "message key " + record.key() + " is not its trip_id " + tripId
                + ": deduplication needs the generator's default key (--key trip-id)");
      }
      if (seen.putIfAbsent(tripId, record.timestamp()) == null) {
        context.forward(record);
      }
    }
  }

  static Properties streamsConfig(String bootstrap, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // Exactly once: outputs and input offsets commit in one transaction, so a committed
    // offset means its messages' Bronze, Silver and dead letters are committed too, and a
    // restarted task never writes a message twice.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 3);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return props;
  }

  static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** The end offset of every partition of a topic, as the broker reports it now. */
  static Map<TopicPartition, Long> ends(Admin admin, String topic) throws Exception {
    List<TopicPartition> partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .collect(Collectors.toList());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((p, info) -> ends.put(p, info.offset()));
    return ends;
  }

  static void run(Map<String, String> args) throws Exception {
    JsonObject oracle = Cli.json(Path.of(args.get("--oracle")));
    String bootstrap = args.getOrDefault("--bootstrap", "broker:9092");
    Duration timeout = Duration.ofSeconds(Long.parseLong(args.getOrDefault("--timeout", "600")));
    Path stateDir = Files.createTempDirectory("rtde-p15-state");
    try (Admin admin = admin(bootstrap)) {
      Map<TopicPartition, Long> ends = ends(admin, RAW);
      long events = ends.values().stream().mapToLong(Long::longValue).sum();
      KafkaStreams streams =
          new KafkaStreams(topology(SilverRules.fromOracle(oracle)), streamsConfig(bootstrap, stateDir));
      streams.setUncaughtExceptionHandler(
          error -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
      streams.start();
      long deadline = System.nanoTime() + timeout.toNanos();
      long pause = 100;
      try {
        while (true) {
          if (streams.state() == KafkaStreams.State.ERROR
              || streams.state() == KafkaStreams.State.PENDING_ERROR
              || streams.state() == KafkaStreams.State.NOT_RUNNING) {
            throw new IllegalStateException("the application stopped: " + streams.state());
          }
          long committed = committed(admin, ends);
          if (committed >= events) {
            System.out.println("raw_consumed=" + committed);
            return;
          }
          if (System.nanoTime() >= deadline) {
            throw new IllegalStateException(
                "committed " + committed + " of " + events + " raw messages within " + timeout);
          }
          System.out.println("committed " + committed + " of " + events + " raw messages");
          Thread.sleep(pause);
          pause = Math.min(pause * 3 / 2, 2000);
        }
      } finally {
        streams.close(Duration.ofSeconds(30));
      }
    }
  }

  /** How many of the raw messages the application has committed, capped at each end. */
  static long committed(Admin admin, Map<TopicPartition, Long> ends) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get();
    long committed = 0;
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      OffsetAndMetadata offset = offsets.get(end.getKey());
      committed += offset == null ? 0 : Math.min(offset.offset(), end.getValue());
    }
    return committed;
  }

  static void verify(Map<String, String> args) throws Exception {
    JsonObject oracle = Cli.json(Path.of(args.get("--oracle")));
    String bootstrap = args.getOrDefault("--bootstrap", "broker:9092");
    Gold gold = new Gold(Gold.boroughs(Path.of(args.get("--zones"))));
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // Only what the application's transactions committed.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    long decoded = 0;
    long duplicates = 0;
    Set<String> seen = new HashSet<>();
    try (Admin admin = admin(bootstrap);
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      Map<TopicPartition, Long> ends = ends(admin, SILVER);
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      Set<TopicPartition> open = new HashSet<>(ends.keySet());
      while (!open.isEmpty()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          JsonObject row =
              JsonParser.parseString(new String(record.value(), StandardCharsets.UTF_8))
                  .getAsJsonObject();
          decoded++;
          if (!seen.add(row.get("trip_id").getAsString())) {
            duplicates++;
          }
          gold.add(row);
        }
        // A transactional topic's end lies past its last commit marker: done with a partition
        // when the consumer's position has reached the end reported at the start.
        open.removeIf(p -> consumer.position(p) >= ends.get(p));
      }
    }
    JsonObject expected = oracle.getAsJsonObject("gold");
    List<String> differ = gold.differences(expected);
    differ.forEach(name -> System.err.println("Gold list '" + name + "' differs from the oracle"));
    System.out.println("silver_decoded=" + decoded);
    System.out.println("silver_duplicates=" + duplicates);
    System.out.println("gold_lists=" + expected.size());
    System.out.println("gold_lists_equal=" + (expected.size() - differ.size()));
  }

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0 || !(argv[0].equals("run") || argv[0].equals("verify"))) {
      System.err.println("usage: TaxiStreams run|verify --bootstrap HOST:PORT --oracle FILE [...]");
      System.exit(2);
    }
    Map<String, String> args = Cli.options(argv, 1);
    if (!args.containsKey("--oracle") || (argv[0].equals("verify") && !args.containsKey("--zones"))) {
      System.err.println("TaxiStreams " + argv[0] + ": --oracle (and for verify --zones) is required");
      System.exit(2);
    }
    if (argv[0].equals("run")) {
      run(args);
    } else {
      verify(args);
    }
  }
}
