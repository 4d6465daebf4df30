/**
 * Events that operators count, published by the stage where they happen and observed by src/metrics, so no
 * stage imports the metrics module: an AE task created, a schema-drift finding. node:diagnostics_channel costs
 * nothing while no one subscribes.
 */
import diagnostics from 'node:diagnostics_channel';

export interface TaskCreatedEvent {
  tenant: string;
}

export interface DriftFindingEvent {
  tenant: string;
  /** A short, bounded word for what drifted, e.g. "field_missing", "type_changed". Never a record id. */
  kind: string;
}

const TASK_CREATED = 'gridsync:task.created';
const DRIFT_FINDING = 'gridsync:drift.finding';

function publisher<T>(name: string): (event: T) => void {
  const channel = diagnostics.channel(name);
  return (event) => {
    if (channel.hasSubscribers) channel.publish(event);
  };
}

function subscriber<T>(name: string): (listener: (event: T) => void) => () => void {
  return (listener) => {
    const onMessage = (message: unknown): void => listener(message as T);
    diagnostics.subscribe(name, onMessage);
    return () => diagnostics.unsubscribe(name, onMessage);
  };
}

/** The AE task exists in the CRM (ae-task/ensure-ae-task.ts publishes it, once per task). */
export const publishTaskCreated = publisher<TaskCreatedEvent>(TASK_CREATED);
export const subscribeTaskCreated = subscriber<TaskCreatedEvent>(TASK_CREATED);

/** The drift watch found the CRM schema no longer matching a tenant's mapping (one event per finding). */
export const publishDriftFinding = publisher<DriftFindingEvent>(DRIFT_FINDING);
export const subscribeDriftFinding = subscriber<DriftFindingEvent>(DRIFT_FINDING);
