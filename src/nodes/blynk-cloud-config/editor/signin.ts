import type { EditorNode } from '../../../editor/red';
import { Answer, callbackUrl, failureText, postJSON, resultClass, saidText } from './answers';

interface StartAnswer extends Answer {
  url?: string;
  expiresIn?: number;
  discovered?: { authorizePath?: string; tokenPath?: string };
}

interface StatusAnswer extends Answer {
  state?: 'pending' | 'ok' | 'failed';
  scope?: string;
}

/** The Sign in tab: the redirect URL to register, and Sign in with Blynk (authorization code grant). */
export function signinTab(node: EditorNode, $server: JQuery): void {
  $('#node-config-blynk-cloud-redirect').val(callbackUrl());
  $('#node-config-blynk-cloud-redirect-copy').on('click', function (event) {
    event.preventDefault();
    RED.clipboard.copyText(callbackUrl(), $(this), 'clipboard.copyMessageValue');
  });
  if (node.credentials && node.credentials.has_refreshToken) {
    $('#node-config-blynk-cloud-signin-result').text(node._('blynk-cloud-config.signin.stored'));
  }

  // The window is opened at once (inside the click, so that pop-up blockers allow it) and pointed
  // at the authorization URL when the runtime answers.
  const $signin = $('#node-config-blynk-cloud-signin');
  const $signinResult = $('#node-config-blynk-cloud-signin-result');
  let poll: ReturnType<typeof setInterval> | null = null;
  const signinShow = (ok: boolean, text: string): void => {
    resultClass($signinResult.empty(), ok);
    $('<span>').text(text).appendTo($signinResult);
  };
  const stopPoll = (): void => {
    if (poll) {
      clearInterval(poll);
      poll = null;
    }
    window.removeEventListener('message', onMessage);
  };
  const checkStatus = (): void => {
    $.getJSON('blynk-cloud/authorize/status', { id: node.id }).done((st: StatusAnswer) => {
      if (st.state === 'ok') {
        stopPoll();
        const scope = st.scope ? ` ${node._('blynk-cloud-config.signin.scope', { scope: st.scope })}` : '';
        signinShow(true, node._('blynk-cloud-config.signin.signedIn') + scope);
        // Something to deploy: the stored sign-in reaches the disk only then (node-red#1055).
        RED.nodes.dirty(true);
        node.changed = true;
      } else if (st.state === 'failed') {
        stopPoll();
        signinShow(false, node._('blynk-cloud-config.signin.failed', { message: saidText(node, st) }));
      }
    });
  };
  function onMessage(event: MessageEvent<{ type?: string; id?: string } | undefined>): void {
    if (event.origin === window.location.origin && event.data && event.data.type === 'blynk-cloud-signin' && event.data.id === node.id) {
      checkStatus();
    }
  }
  $signin.on('click', (event) => {
    event.preventDefault();
    stopPoll();
    const win = window.open('about:blank', `blynk-cloud-signin-${node.id}`, 'width=520,height=680');
    if (!win) {
      signinShow(false, node._('blynk-cloud-config.signin.popupBlocked'));
      return;
    }
    signinShow(true, node._('blynk-cloud-config.signin.waiting'));
    postJSON<StartAnswer>('blynk-cloud/authorize/start', {
      id: node.id,
      server: String($server.val() || '').trim(),
      clientId: $('#node-config-input-clientId').val(),
      clientSecret: $('#node-config-input-clientSecret').val(),
      scope: $('#node-config-input-scope').val(),
      authorizePath: $('#node-config-input-authorizePath').val(),
      tokenPath: $('#node-config-input-tokenPath').val(),
      redirectUri: callbackUrl(),
    })
      .done((res) => {
        if (res && res.ok && res.url) {
          // Paths the server published (RFC 8414) fill the empty fields, so that the deployed
          // connection renews its sign-in where the server said.
          const found = res.discovered || {};
          for (const key of ['authorizePath', 'tokenPath'] as const) {
            const $field = $(`#node-config-input-${key}`);
            if (found[key] && !$field.val()) $field.val(found[key]);
          }
          win.location.href = res.url;
          window.addEventListener('message', onMessage);
          poll = setInterval(() => {
            if (win.closed) checkStatus();
          }, 1000);
          // The state expires after a few minutes; stop polling with it.
          setTimeout(stopPoll, (res.expiresIn || 300) * 1000 + 5000);
        } else {
          win.close();
          signinShow(false, node._('blynk-cloud-config.signin.failed', { message: saidText(node, res) }));
        }
      })
      .fail((xhr, textStatus) => {
        win.close();
        signinShow(false, failureText(node, xhr, textStatus));
      });
  });
}
