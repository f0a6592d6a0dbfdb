package dev.idemflow.jobserver;

import java.util.List;
import org.apache.beam.runners.core.construction.resources.PipelineResourcesDetector;

/**
 * A pipeline-resources detector that finds nothing: the jars a Flink job stages to the cluster.
 *
 * <p>Why: Beam's job server stages every jar on its own classpath with each job it submits to a
 * remote Flink master (its default detector scans the classpath): 150 MB, copied into the
 * JobManager's blob store and again into each TaskManager's, per job. idemflow's cluster runs
 * from the same jars (they are on every process's classpath, loaded parent-first), so nothing
 * needs to travel. Chosen per job with the pipeline option pipelineResourcesDetectorFactoryClass.
 */
public final class NothingToStage implements PipelineResourcesDetector.Factory {
  /** Beam builds the factory with this static method (InstanceBuilder.fromFactoryMethod("create")). */
  public static NothingToStage create() {
    return new NothingToStage();
  }

  @Override
  public PipelineResourcesDetector getPipelineResourcesDetector() {
    return classLoader -> List.of();
  }
}
