package org.apache.beam.sdk.io.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * KafkaIO's unbounded source, its records as strings ({@link IdemflowKafkaRead#encode}) and its
 * watermark the local runner's: the latest record timestamp read, held back by the partitions that
 * still have records to deliver ({@link IdemflowTimestampPolicy}), never moving back, and saved with
 * the checkpoint (as the local runner saves its watermark with its checkpoint). Everything else is
 * KafkaIO's: the splits (partitions), the offsets in the checkpoint mark (finalizing it commits
 * them) and the timestamps.
 */
final class IdemflowKafkaSource extends UnboundedSource<String, IdemflowKafkaSource.Mark> {
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
  public UnboundedReader<String> createReader(PipelineOptions options, @Nullable Mark mark) throws IOException {
    Instant watermark = mark == null ? BoundedWindow.TIMESTAMP_MIN_VALUE : new Instant(mark.watermarkMillis);
    return new Reader(this, kafka.createReader(options, mark == null ? null : mark.kafka), watermark);
  }

  @Override
  public Coder<Mark> getCheckpointMarkCoder() {
    return new MarkCoder(kafka.getCheckpointMarkCoder());
  }

  @Override
  public Coder<String> getOutputCoder() {
    return StringUtf8Coder.of();
  }

  @Override
  public boolean requiresDeduping() {
    return kafka.requiresDeduping();
  }

  /** KafkaIO's checkpoint mark (the offsets; finalizing it commits them) and the reader's watermark. */
  static final class Mark implements CheckpointMark {
    final KafkaCheckpointMark kafka;
    final long watermarkMillis;

    Mark(KafkaCheckpointMark kafka, long watermarkMillis) {
      this.kafka = kafka;
      this.watermarkMillis = watermarkMillis;
    }

    @Override
    public void finalizeCheckpoint() throws IOException {
      kafka.finalizeCheckpoint();
    }
  }

  /** A mark as KafkaIO's coder writes it, then the watermark (8 bytes). */
  static final class MarkCoder extends CustomCoder<Mark> {
    private final Coder<KafkaCheckpointMark> kafka;

    MarkCoder(Coder<KafkaCheckpointMark> kafka) {
      this.kafka = kafka;
    }

    @Override
    public void encode(Mark mark, OutputStream out) throws IOException {
      kafka.encode(mark.kafka, out);
      BigEndianLongCoder.of().encode(mark.watermarkMillis, out);
    }

    @Override
    public Mark decode(InputStream in) throws IOException {
      KafkaCheckpointMark offsets = kafka.decode(in);
      return new Mark(offsets, BigEndianLongCoder.of().decode(in));
    }
  }

  private static final class Reader extends UnboundedReader<String> {
    private final IdemflowKafkaSource source;
    private final UnboundedReader<KafkaRecord<byte[], byte[]>> kafka;
    /** The watermark: it never moves back. */
    private Instant watermark;
    /**
     * The latest record timestamp read. Restored as the watermark, as the local runner restores its
     * latest event time: records read before the checkpoint are not read again.
     */
    private Instant latest;
    /**
     * The watermark before the current record was read: the record is late if it is behind this one
     * by more than the allowed lateness. Read after it, the watermark may already include the
     * record itself. No watermark emitted before the record is ahead of this one.
     */
    private Instant watermarkBefore;

    Reader(IdemflowKafkaSource source, UnboundedReader<KafkaRecord<byte[], byte[]>> kafka, Instant watermark) {
      this.source = source;
      this.kafka = kafka;
      this.watermark = watermark;
      this.latest = watermark;
      this.watermarkBefore = watermark;
    }

    @Override
    public boolean start() throws IOException {
      return read(kafka.start());
    }

    @Override
    public boolean advance() throws IOException {
      watermarkBefore = getWatermark();
      return read(kafka.advance());
    }

    private boolean read(boolean available) {
      if (available && kafka.getCurrentTimestamp().isAfter(latest)) latest = kafka.getCurrentTimestamp();
      return available;
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

    /** The latest timestamp read, or less while a partition with records to deliver holds it back. */
    @Override
    public Instant getWatermark() {
      Instant held = kafka.getWatermark();
      Instant candidate = held.isBefore(latest) ? held : latest;
      if (candidate.isAfter(watermark)) watermark = candidate;
      return watermark;
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return new Mark((KafkaCheckpointMark) kafka.getCheckpointMark(), getWatermark().getMillis());
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
