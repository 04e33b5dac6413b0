// Public entry of the Blynk cloud simulator.
export { startSimulator } from './server';
export { DEMO } from './demo-data';
export { WEBHOOK_RATE_PER_MINUTE, type WebhookAttempt, type WebhookDefinition } from './webhooks';
export { onExchange, type Exchange, type ExchangeListener } from './exchanges';
export type {
  DataType,
  DatastreamValue,
  DemoData,
  DemoDatastream,
  DemoDevice,
  DemoEvent,
  DeviceState,
  FaultAction,
  FaultInjector,
  FaultRule,
  Limits,
  LoggedEvent,
  MqttLogEntry,
  PropertyValue,
  RequestLogEntry,
  Simulator,
  SimulatorMqtt,
  SimulatorOptions,
  SimulatorState,
  StoredValue,
  TokenStats,
} from './types';
