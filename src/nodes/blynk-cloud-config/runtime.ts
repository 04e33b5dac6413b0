import { NodeAPI } from 'node-red';
import { BlynkConfigNode, ConfigCredentials, ConfigDef, initConfigNode } from '../lib/config-node';
import { registerAuthorize } from '../lib/authorize';
import { registerTestConnection } from '../lib/test-connection';
import { registerWebhookSetup } from '../lib/webhook-setup';

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
      // Stored by the sign-in callback (authorization code grant); a password, so never sent to the editor.
      refreshToken: { type: 'password' },
    },
  });
  registerTestConnection(RED);
  registerAuthorize(RED);
  registerWebhookSetup(RED);
};
