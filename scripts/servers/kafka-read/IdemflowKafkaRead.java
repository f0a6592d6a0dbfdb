// In KafkaIO's package: KafkaIO.Read#makeSource, the unbounded source it reads with, is package-private.
package org.apache.beam.sdk.io.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.runners.core.construction.SplittableParDo;
import org.apache.beam.sdk.expansion.ExternalTransformRegistrar;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.ExternalTransformBuilder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Instant;

/**
 * idemflow's streaming Kafka read for Beam's TypeScript SDK, as a cross-language transform of URN
 * {@code idemflow:kafka_read:v1} that Beam's expansion service (the Flink job server's) finds by
 * this registrar.
 *
 * <p>Why not Beam's own: its Kafka read URNs take a consumer config map, which Beam 2.49's
 * TypeScript row encoder cannot send, and expand into Java DoFns (record to row or KV), which need
 * a Java SDK harness beside Flink. This one takes plain strings and expands into one primitive
 * read of an {@link IdemflowKafkaSource}, which Flink's portable runner runs natively (its
 * UnboundedSourceWrapper): no Java SDK worker, checkpoints by Flink, and the group's offsets
 * committed by KafkaIO only when a Flink checkpoint completes (commitOffsetsInFinalize). Records
 * reach TypeScript as UTF-8 strings, a coder every SDK knows.
 */
public final class IdemflowKafkaRead {
  public static final String URN = "idemflow:kafka_read:v1";

  private IdemflowKafkaRead() {}

  /** The transform's options, set by the expansion service from the payload's row (snake_case names). */
  public static final class Configuration {
    String bootstrapServers;
    String topic;
    String groupId;

    public void setBootstrapServers(String value) {
      bootstrapServers = value;
    }

    public void setTopic(String value) {
      topic = value;
    }

    public void setGroupId(String value) {
      groupId = value;
    }
  }

  /** Builds the read from a configuration. */
  public static final class Builder
      implements ExternalTransformBuilder<Configuration, PBegin, PCollection<String>> {
    @Override
    public PTransform<PBegin, PCollection<String>> buildExternal(Configuration c) {
      if (c.bootstrapServers == null || c.topic == null || c.groupId == null)
        throw new IllegalArgumentException(
            URN + " needs bootstrap_servers, topic and group_id; got " + c.bootstrapServers + ", " + c.topic + ", " + c.groupId);
      KafkaIO.Read<byte[], byte[]> read =
          KafkaIO.<byte[], byte[]>read()
              .withBootstrapServers(c.bootstrapServers)
              .withTopic(c.topic)
              // With their coders: makeSource, unlike KafkaIO's expand, infers none.
              .withKeyDeserializerAndCoder(ByteArrayDeserializer.class, ByteArrayCoder.of())
              .withValueDeserializerAndCoder(ByteArrayDeserializer.class, ByteArrayCoder.of())
              .withConsumerConfigUpdates(
                  Map.of("group.id", c.groupId, "auto.offset.reset", "earliest"))
              .withReadCommitted()
              .commitOffsetsInFinalize()
              // The local runner's watermark rule, never the wall clock (IdemflowTimestampPolicy).
              .withTimestampPolicyFactory(new IdemflowTimestampPolicy.Factory());
      return new ReadStrings(read);
    }
  }

  /** The primitive read (not Beam's splittable-DoFn wrapper, which would need a Java SDK harness). */
  static final class ReadStrings extends PTransform<PBegin, PCollection<String>> {
    private final KafkaIO.Read<byte[], byte[]> read;

    ReadStrings(KafkaIO.Read<byte[], byte[]> read) {
      this.read = read;
    }

    @Override
    public PCollection<String> expand(PBegin input) {
      // Read.from expands into a splittable DoFn (run by a Java SDK harness), which an expansion service turns
      // back into the primitive read only when started with the experiment use_deprecated_read: the Flink job
      // server's is started without options. The primitive is applied here instead; Flink's portable runner
      // translates it into its own source operator.
      return input.apply(
          new SplittableParDo.PrimitiveUnboundedRead<>(Read.from(new IdemflowKafkaSource(read.makeSource()))));
    }
  }

  /** How the expansion service finds the transform (META-INF/services). */
  public static final class Registrar implements ExternalTransformRegistrar {
    @Override
    public Map<String, ExternalTransformBuilder<?, ?, ?>> knownBuilderInstances() {
      return Map.of(URN, new Builder());
    }
  }

  /**
   * One record as TypeScript reads it: {@code topic/partition/offset}, a newline, the reader's watermark
   * (epoch ms) before the record was read ({@link IdemflowKafkaSource}), a newline, then the value as UTF-8. The watermark lets the
   * TypeScript steps send a record that is late for every window to the dead-letter sink, as the
   * local runner does, rather than leave Beam's grouping to drop it: no watermark downstream is
   * ahead of the one read here.
   */
  static String encode(KafkaRecord<byte[], byte[]> record, Instant watermark) {
    byte[] value = record.getKV().getValue();
    String text = value == null ? "" : new String(value, StandardCharsets.UTF_8);
    String position = record.getTopic() + "/" + record.getPartition() + "/" + record.getOffset();
    return position + "\n" + watermark.getMillis() + "\n" + text;
  }
}
