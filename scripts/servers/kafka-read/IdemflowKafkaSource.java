package org.apache.beam.sdk.io.kafka;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * KafkaIO's unbounded source, its records as strings ({@link IdemflowKafkaRead#encode}). Everything
 * else is KafkaIO's: the splits (partitions), the checkpoint mark (offsets; finalizing it commits
 * them), the timestamps and the watermark.
 */
final class IdemflowKafkaSource extends UnboundedSource<String, KafkaCheckpointMark> {
  private final UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark> kafka;

  IdemflowKafkaSource(UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark> kafka) {
    this.kafka = kafka;
  }

  @Override
  public List<IdemflowKafkaSource> split(int desiredNumSplits, PipelineOptions options) throws Exception {
    List<IdemflowKafkaSource> splits = new ArrayList<>();
    for (UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark> s : kafka.split(desiredNumSplits, options))
      splits.add(new IdemflowKafkaSource(s));
    return splits;
  }

  @Override
  public UnboundedReader<String> createReader(PipelineOptions options, @Nullable KafkaCheckpointMark mark)
      throws IOException {
    return new Reader(this, kafka.createReader(options, mark));
  }

  @Override
  public Coder<KafkaCheckpointMark> getCheckpointMarkCoder() {
    return kafka.getCheckpointMarkCoder();
  }

  @Override
  public Coder<String> getOutputCoder() {
    return StringUtf8Coder.of();
  }

  @Override
  public boolean requiresDeduping() {
    return kafka.requiresDeduping();
  }

  private static final class Reader extends UnboundedReader<String> {
    private final IdemflowKafkaSource source;
    private final UnboundedReader<KafkaRecord<byte[], byte[]>> kafka;
    /**
     * The watermark before the current record was read. After it, KafkaIO's create-time policy may
     * already have moved to the wall clock (the partition's backlog is then 0), which would make the
     * last record of a caught-up partition late for its own watermark. No watermark emitted before the
     * record is ahead of this one.
     */
    private Instant watermarkBefore = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Reader(IdemflowKafkaSource source, UnboundedReader<KafkaRecord<byte[], byte[]>> kafka) {
      this.source = source;
      this.kafka = kafka;
    }

    @Override
    public boolean start() throws IOException {
      return kafka.start();
    }

    @Override
    public boolean advance() throws IOException {
      watermarkBefore = kafka.getWatermark();
      return kafka.advance();
    }

    @Override
    public String getCurrent() throws NoSuchElementException {
      return IdemflowKafkaRead.encode(kafka.getCurrent(), watermarkBefore);
    }

    @Override
    public Instant getCurrentTimestamp() throws NoSuchElementException {
      return kafka.getCurrentTimestamp();
    }

    @Override
    public byte[] getCurrentRecordId() throws NoSuchElementException {
      return kafka.getCurrentRecordId();
    }

    @Override
    public Instant getWatermark() {
      return kafka.getWatermark();
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return kafka.getCheckpointMark();
    }

    @Override
    public long getSplitBacklogBytes() {
      return kafka.getSplitBacklogBytes();
    }

    @Override
    public UnboundedSource<String, ?> getCurrentSource() {
      return source;
    }

    @Override
    public void close() throws IOException {
      kafka.close();
    }
  }
}
