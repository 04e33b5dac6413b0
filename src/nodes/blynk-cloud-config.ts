import { NodeAPI } from 'node-red';
import { BlynkConfigNode, ConfigCredentials, ConfigDef, initConfigNode } from './lib/config-node';
import { registerTestConnection } from './lib/test-connection';

export = function register(RED: NodeAPI): void {
  function BlynkCloudConfig(this: BlynkConfigNode, def: ConfigDef): void {
    RED.nodes.createNode(this, def);
    initConfigNode(RED, this, def);
  }
  RED.nodes.registerType<BlynkConfigNode, ConfigDef, unknown, ConfigCredentials>('blynk-cloud-config', BlynkCloudConfig, {
    credentials: {
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      userEmail: { type: 'text' },
      password: { type: 'password' },
    },
  });
  registerTestConnection(RED);
};
