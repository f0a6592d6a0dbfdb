/**
 * The preamble of the bound-key date tests: a client, a kafkajs consumer and an `ops.events` table keyed by a day
 * and an id, written by `INSERT`.
 */
export const setUp = `
import { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';

const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
const consumer = new Kafka({ brokers: ['127.0.0.1:9092'] }).consumer({ groupId: 'g' });
const schema = 'CREATE TABLE ops.events (day text, id text, body text, PRIMARY KEY (day, id))';
const INSERT = 'INSERT INTO ops.events (day, id, body) VALUES (?, ?, ?)';`;
