package org.apache.beam.sdk.io.kafka;

import java.util.Optional;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * One partition's share of the local runner's watermark rule: a record's time is its Kafka timestamp
 * (producers set it to the event time), and a partition with records still to read holds the
 * watermark at the latest timestamp it delivered (the earliest possible, before it delivered any);
 * a partition that has caught up with its log holds nothing ({@code TIMESTAMP_MAX_VALUE}: KafkaIO's
 * reader takes the least over its partitions, and the reader above, {@link IdemflowKafkaSource},
 * caps it by the latest timestamp read). Never the wall clock: KafkaIO's create-time policy moves an
 * idle partition's watermark to the wall clock, so records produced later with older event times,
 * on time for the local runner, were late here.
 */
final class IdemflowTimestampPolicy extends TimestampPolicy<byte[], byte[]> {
  /** The latest timestamp this partition delivered (restored from the checkpoint when it was held there). */
  private Instant latest;

  private IdemflowTimestampPolicy(Instant latest) {
    this.latest = latest;
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext context, KafkaRecord<byte[], byte[]> record) {
    Instant timestamp = new Instant(record.getTimestamp());
    if (timestamp.isAfter(latest)) latest = timestamp;
    return timestamp;
  }

  @Override
  public Instant getWatermark(PartitionContext context) {
    // A backlog of 0 is a partition read up to its log's end as last fetched (KafkaIO asks every second);
    // an unknown backlog (-1) is not caught up.
    return context.getMessageBacklog() == 0 ? BoundedWindow.TIMESTAMP_MAX_VALUE : latest;
  }

  /** The factory KafkaIO makes one policy a partition with (serialized with the read). */
  static final class Factory implements TimestampPolicyFactory<byte[], byte[]> {
    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition partition, Optional<Instant> previousWatermark) {
      // A partition caught up at the checkpoint saved TIMESTAMP_MAX_VALUE, which is no timestamp of its records.
      Instant previous = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE);
      return new IdemflowTimestampPolicy(
          previous.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE) ? previous : BoundedWindow.TIMESTAMP_MIN_VALUE);
    }
  }
}
