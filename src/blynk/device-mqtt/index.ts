// Node-RED-independent Device MQTT API client (docs/blynk-mqtt-api.md).
export * from './backoff';
export * from './connection';
export * from './downlink';
export * from './payload';
export * from './server';
export * from './topics';
