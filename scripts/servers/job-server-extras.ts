/**
 * idemflow's classes for Beam's job server (job-server-extras/*.java), built
 * like the bind agent: once per source version, against the job server's own
 * jars. Today one: NothingToStage, which keeps a job submitted to a Flink
 * cluster from carrying the job server's 150 MB classpath along.
 */
import { fileURLToPath } from 'node:url';
import { buildJar, jarPath, type JarSpec } from './java-build.ts';

const extras: JarSpec = {
  name: 'job-server-extras',
  label: 'job-server extras jar',
  sources: [fileURLToPath(new URL('job-server-extras/NothingToStage.java', import.meta.url))],
};

/** The pipeline option that makes Beam's job server stage no jars with a job (the cluster has them all). */
export const stageNothing = { pipelineResourcesDetectorFactoryClass: 'dev.idemflow.jobserver.NothingToStage' } as const;

export const jobServerExtrasPath = (lib: string): string => jarPath(extras, lib);

/** Builds the jar unless built; throws, naming what failed, when it cannot. */
export const buildJobServerExtras = (lib: string): Promise<string> =>
  buildJar(
    extras,
    lib,
    `${lib}/*`,
    "Beam's job server would copy its 150 MB of jars to the Flink cluster with every job",
  );
