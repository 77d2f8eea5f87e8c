// Switchboard demo page: a customer chat and an agent desk, plain browser JS.
// Everything the server sends is rendered with textContent (never as HTML).
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const wsBase = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;

  // ---------------------------------------------------------------- tabs
  function showTab(name) {
    $('customer-view').hidden = name !== 'customer';
    $('agent-view').hidden = name !== 'agent';
    $('tab-customer').classList.toggle('active', name === 'customer');
    $('tab-agent').classList.toggle('active', name === 'agent');
  }
  $('tab-customer').addEventListener('click', () => showTab('customer'));
  $('tab-agent').addEventListener('click', () => showTab('agent'));
  if (location.hash === '#agent') showTab('agent');

  function newId(prefix) {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return prefix + '-' + window.crypto.randomUUID();
    return prefix + '-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
  }

  function time(at) {
    const d = new Date(at);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
  }

  /**
   * A photo in the transcript. Images need the viewer's token, which an <img src>
   * cannot send, so the bytes are fetched with the header and shown as a blob URL.
   */
  function renderImage(container, image, conversationId, token) {
    const img = document.createElement('img');
    img.className = 'photo';
    img.alt = 'photo (' + image.mime + ', ' + Math.round(image.bytes / 1024) + ' KB)';
    container.append(img);
    fetch('/api/conversations/' + encodeURIComponent(conversationId) + '/images/' + encodeURIComponent(image.id), { headers: { authorization: 'Bearer ' + token } })
      .then((res) => (res.ok ? res.blob() : Promise.reject(new Error('HTTP ' + res.status))))
      .then((blob) => {
        img.src = URL.createObjectURL(blob);
      })
      .catch(() => {
        img.replaceWith(Object.assign(document.createElement('span'), { className: 'muted', textContent: '[photo not available]' }));
      });
  }

  /** Appends or replaces one transcript line, keyed by seq, kept in seq order. `token` reads its photo (of `conversationId`). */
  function renderEntry(list, entry, label, token, conversationId) {
    const key = String(entry.seq);
    let li = list.querySelector('li[data-seq="' + key + '"]');
    if (!li) {
      li = document.createElement('li');
      li.dataset.seq = key;
      const after = Array.from(list.querySelectorAll('li[data-seq]')).find((x) => Number(x.dataset.seq) > entry.seq);
      list.insertBefore(li, after || list.querySelector('li.pending') || null);
    }
    li.className = entry.from;
    li.textContent = '';
    const bubble = document.createElement('span');
    bubble.className = 'bubble';
    bubble.textContent = entry.text;
    if (entry.image && token && conversationId) renderImage(bubble, entry.image, conversationId, token);
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = (label || entry.from) + ' · #' + entry.seq + ' · ' + time(entry.at);
    li.append(bubble, meta);
    list.scrollTop = list.scrollHeight;
  }

  // ------------------------------------------------------------ customer
  const customer = {
    conversation: null,
    ws: null,
    lastSeq: 0,
    pending: new Map(),
    retry: 0,
    closedByUser: false,
  };

  function setConnection(text) {
    $('connection').textContent = text;
  }

  function setComposer(enabled) {
    $('message-input').disabled = !enabled;
    $('send').disabled = !enabled;
    $('photo-input').disabled = !enabled;
  }

  function showCustomerError(text) {
    const li = document.createElement('li');
    li.className = 'system error-line';
    const span = document.createElement('span');
    span.className = 'bubble';
    span.textContent = text;
    li.append(span);
    $('messages').append(li);
  }

  // A photo goes over HTTP (the socket carries text frames only); the message comes back on the socket like any other.
  $('photo-input').addEventListener('change', async () => {
    const input = $('photo-input');
    const file = input.files && input.files[0];
    input.value = '';
    if (!file || !customer.conversation) return;
    const caption = $('message-input').value.trim();
    const id = newId('p');
    const query = '?id=' + encodeURIComponent(id) + (caption ? '&text=' + encodeURIComponent(caption) : '');
    try {
      const res = await fetch('/api/conversations/' + encodeURIComponent(customer.conversation.conversationId) + '/images' + query, {
        method: 'POST',
        headers: { authorization: 'Bearer ' + customer.conversation.token, 'content-type': file.type || 'application/octet-stream' },
        body: file,
      });
      if (res.status !== 202) {
        const body = await res.json().catch(() => ({}));
        showCustomerError((body.error && body.error.message) || 'The photo could not be sent (HTTP ' + res.status + ').');
        return;
      }
      if (caption) $('message-input').value = '';
    } catch (error) {
      showCustomerError('The photo could not be sent: ' + error.message);
    }
  });

  function renderStatus(frame) {
    const el = $('status');
    el.className = 'status ' + frame.phase;
    let text;
    if (frame.phase === 'ai') text = 'You are chatting with the Switchboard assistant.';
    else if (frame.phase === 'queued') {
      text = 'Waiting for an agent';
      if (frame.queue) {
        text += ' — position ' + frame.queue.position + ' of ' + frame.queue.size;
        if (frame.queue.etaSeconds !== null && frame.queue.etaSeconds !== undefined) {
          text += frame.queue.etaSeconds < 60 ? ', in under a minute' : ', about ' + Math.round(frame.queue.etaSeconds / 60) + ' min';
        } else {
          text += ', no agent is online for this queue right now';
        }
      }
      text += '.';
    } else if (frame.phase === 'human') text = 'You are talking to ' + (frame.agent ? frame.agent.name : 'an agent') + '.';
    else text = 'This conversation is closed.';
    el.textContent = text;
    el.dataset.phase = frame.phase;
    if (frame.phase === 'closed') setComposer(false);
  }

  function customerLabel(from) {
    return { customer: 'you', bot: 'assistant', agent: 'agent', system: 'notice' }[from] || from;
  }

  function connectCustomer() {
    const c = customer.conversation;
    const url = wsBase + '/ws?conversationId=' + encodeURIComponent(c.conversationId) + '&token=' + encodeURIComponent(c.token);
    const ws = new WebSocket(url);
    customer.ws = ws;
    setConnection('connecting…');
    ws.addEventListener('open', () => {
      customer.retry = 0;
      setConnection('connected');
      setComposer(true);
      // Anything missed while away (or everything, on a first connect) comes back in order.
      ws.send(JSON.stringify({ type: 'resume', afterSeq: customer.lastSeq }));
      // Messages typed while disconnected are resent with the same id: the workflow ignores duplicates.
      for (const [id, text] of customer.pending) ws.send(JSON.stringify({ type: 'message', id: id, text: text }));
    });
    ws.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      const list = $('messages');
      if (frame.type === 'message') {
        renderEntry(list, frame, customerLabel(frame.from), customer.conversation.token, customer.conversation.conversationId);
        customer.lastSeq = Math.max(customer.lastSeq, frame.seq);
      } else if (frame.type === 'ack') {
        const text = customer.pending.get(frame.id);
        customer.pending.delete(frame.id);
        const bubble = list.querySelector('li.pending[data-id="' + CSS.escape(frame.id) + '"]');
        if (bubble) bubble.remove();
        if (text !== undefined && !list.querySelector('li[data-seq="' + frame.seq + '"]')) {
          renderEntry(list, { seq: frame.seq, from: 'customer', text: text, at: new Date().toISOString() }, 'you');
        }
      } else if (frame.type === 'status') {
        renderStatus(frame);
      } else if (frame.type === 'error') {
        if (frame.id) {
          customer.pending.delete(frame.id);
          const bubble = list.querySelector('li.pending[data-id="' + CSS.escape(frame.id) + '"]');
          if (bubble) bubble.remove();
        }
        const li = document.createElement('li');
        li.className = 'system';
        const span = document.createElement('span');
        span.className = 'bubble';
        span.textContent = frame.message + ' (' + frame.code + ')';
        li.append(span);
        list.append(li);
      }
    });
    ws.addEventListener('close', (event) => {
      setComposer(false);
      if (customer.closedByUser || customer.ws !== ws) return;
      if (event.code === 1008 || event.code === 1009) {
        setConnection('disconnected by the server (' + event.code + ')');
      }
      // Reconnect with back-off; `resume` on open fills the gap.
      const delay = Math.min(10000, 500 * Math.pow(2, customer.retry++));
      setConnection('reconnecting in ' + Math.round(delay / 1000) + ' s…');
      setTimeout(() => {
        if (customer.ws === ws) connectCustomer();
      }, delay);
    });
  }

  $('start-chat').addEventListener('click', async () => {
    if (customer.ws) {
      customer.closedByUser = true;
      customer.ws.close();
    }
    customer.closedByUser = false;
    customer.lastSeq = 0;
    customer.pending.clear();
    $('messages').textContent = '';
    $('status').textContent = 'Starting…';
    const res = await fetch('/api/conversations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale: $('locale').value }),
    });
    if (res.status !== 201) {
      $('status').textContent = 'Could not start a conversation (HTTP ' + res.status + ').';
      return;
    }
    customer.conversation = await res.json();
    $('status').textContent = 'Connected. Say hello!';
    connectCustomer();
  });

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('message-input');
    const text = input.value.trim();
    if (!text || !customer.ws || customer.ws.readyState !== WebSocket.OPEN) return;
    const id = newId('c');
    customer.pending.set(id, text);
    const li = document.createElement('li');
    li.className = 'customer pending';
    li.dataset.id = id;
    const bubble = document.createElement('span');
    bubble.className = 'bubble';
    bubble.textContent = text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = 'sending…';
    li.append(bubble, meta);
    $('messages').append(li);
    customer.ws.send(JSON.stringify({ type: 'message', id: id, text: text }));
    input.value = '';
  });

  // --------------------------------------------------------------- agent
  const agent = { token: '', me: null, ws: null, open: null, offer: null };

  function agentError(text) {
    $('agent-error').textContent = text || '';
  }

  async function agentApi(method, path, body) {
    const res = await fetch(path, {
      method: method,
      headers: Object.assign(
        { authorization: 'Bearer ' + agent.token },
        body !== undefined ? { 'content-type': 'application/json' } : {},
      ),
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const message = data && data.error ? data.error.message + ' (' + data.error.code + ')' : 'HTTP ' + res.status;
      throw new Error(message);
    }
    return data;
  }

  function renderQueue(items) {
    const list = $('queue');
    list.textContent = '';
    if (!items.length) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = 'Nobody is waiting.';
      list.append(li);
      return;
    }
    for (const item of items) {
      const li = document.createElement('li');
      li.className = 'prio-' + (item.priority || 'normal');
      li.dataset.conversationId = item.conversationId;
      const head = document.createElement('div');
      head.textContent =
        (item.priority || 'normal') + ' · ' + (item.skill || '?') + ' · ' + (item.customer.tier || 'regular') +
        (item.waitingSince ? ' · waiting since ' + time(item.waitingSince) : '');
      const preview = document.createElement('div');
      preview.className = 'preview';
      preview.textContent = item.preview || '(no preview)';
      const reasons = document.createElement('div');
      reasons.className = 'muted';
      reasons.textContent = (item.reasons || []).join(', ');
      const claim = document.createElement('button');
      claim.type = 'button';
      claim.className = 'small claim';
      claim.textContent = 'Claim';
      claim.addEventListener('click', () => claimConversation(item.conversationId));
      li.append(head, preview, reasons, claim);
      list.append(li);
    }
  }

  function setAgentControls(enabled) {
    for (const id of ['agent-input', 'agent-send', 'release-ai', 'release-queue', 'close-conversation']) $(id).disabled = !enabled;
  }

  function openConversation(conversationId, transcript, handover) {
    agent.open = conversationId;
    $('agent-conversation-title').textContent = 'Conversation ' + conversationId.slice(0, 8);
    const list = $('agent-messages');
    list.textContent = '';
    for (const entry of transcript) renderEntry(list, entry, undefined, agent.token, conversationId);
    const box = $('handover');
    if (handover) {
      box.hidden = false;
      box.textContent = handover.summary + ' Recommended: ' + handover.recommendedAction;
    } else box.hidden = true;
    setAgentControls(true);
  }

  async function claimConversation(conversationId) {
    agentError('');
    try {
      const result = await agentApi('POST', '/api/agent/conversations/' + encodeURIComponent(conversationId) + '/claim');
      openConversation(conversationId, result.transcript, result.handover);
    } catch (error) {
      agentError(error.message);
    }
    refreshQueue();
  }

  async function refreshQueue() {
    if (!agent.token) return;
    try {
      renderQueue(await agentApi('GET', '/api/agent/queue'));
    } catch (error) {
      agentError(error.message);
    }
  }

  function connectAgent() {
    const ws = new WebSocket(wsBase + '/ws/agent?token=' + encodeURIComponent(agent.token));
    agent.ws = ws;
    ws.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'queue') renderQueue(frame.items);
      else if (frame.type === 'message' && frame.conversationId === agent.open) renderEntry($('agent-messages'), frame, undefined, agent.token, frame.conversationId);
      else if (frame.type === 'status' && frame.conversationId === agent.open && frame.phase !== 'human') setAgentControls(false);
      else if (frame.type === 'offer') showOffer(frame.offer);
      else if (frame.type === 'offer_ended' && agent.offer && frame.offerId === agent.offer.offerId) showOffer(null);
      else if (frame.type === 'presence') renderPresence(frame);
      else if (frame.type === 'alert') renderAlert(frame.alert);
    });
    ws.addEventListener('close', () => {
      if (agent.ws === ws) setTimeout(() => agent.ws === ws && connectAgent(), 2000);
    });
  }

  $('agent-login').addEventListener('submit', async (event) => {
    event.preventDefault();
    agent.token = $('agent-token').value.trim();
    agentError('');
    try {
      const me = await agentApi('GET', '/api/agent/me');
      agent.me = me.agent;
      $('agent-name').textContent = 'Signed in as ' + me.agent.name + ' (' + me.agent.skills.join(', ') + ')';
      // Operators: a session cookie for the codec endpoint, so the Temporal Web UI can show decrypted histories.
      if (me.agent.role === 'operator') agentApi('POST', '/api/operator/codec-session').catch(() => undefined);
      if (agent.ws) {
        const old = agent.ws;
        agent.ws = null;
        old.close();
      }
      connectAgent();
      refreshQueue();
      if (me.conversations.length > 0) {
        const id = me.conversations[0];
        const view = await agentApi('GET', '/api/agent/conversations/' + encodeURIComponent(id));
        openConversation(id, view.transcript, null);
      }
    } catch (error) {
      agent.token = '';
      $('agent-name').textContent = 'not signed in';
      agentError(error.message);
    }
  });

  $('refresh-queue').addEventListener('click', refreshQueue);

  // Offers and presence: the socket makes the agent online; offers come to it and are answered over HTTP.
  function renderPresence(frame) {
    $('presence').value = frame.status || frame.presence;
    $('presence-state').textContent = frame.presence + ' · ' + frame.load + '/' + frame.capacity;
  }

  function showOffer(offer) {
    agent.offer = offer;
    const box = $('offer');
    box.hidden = !offer;
    if (offer) {
      $('offer-text').textContent =
        'Offered: ' + offer.priority + ' · ' + offer.skill + ' · ' + offer.tier + ' · ' + offer.language + ' — answer by ' + time(offer.expiresAt);
    }
  }

  function renderAlert(alert) {
    const li = document.createElement('li');
    li.textContent = time(alert.at) + ' — waited ' + Math.round(alert.waitedMs / 60000) + ' min in ' + alert.skill + ' (' + alert.priority + ', ' + alert.tier + ')';
    $('alerts').prepend(li);
    $('alerts-pane').hidden = false;
  }

  $('presence').addEventListener('change', async () => {
    agentError('');
    try {
      renderPresence(await agentApi('PUT', '/api/agent/presence', { status: $('presence').value }));
    } catch (error) {
      agentError(error.message);
    }
  });

  async function answerOffer(accept) {
    const offer = agent.offer;
    if (!offer) return;
    agentError('');
    try {
      const result = await agentApi('POST', '/api/agent/offers/' + encodeURIComponent(offer.offerId) + (accept ? '/accept' : '/decline'));
      if (accept) openConversation(result.conversationId, result.transcript, result.handover);
    } catch (error) {
      agentError(error.message);
    }
    showOffer(null);
    refreshQueue();
  }
  $('offer-accept').addEventListener('click', () => answerOffer(true));
  $('offer-decline').addEventListener('click', () => answerOffer(false));

  $('agent-composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('agent-input');
    const text = input.value.trim();
    if (!text || !agent.open) return;
    agentError('');
    try {
      await agentApi('POST', '/api/agent/conversations/' + encodeURIComponent(agent.open) + '/messages', { id: newId('a'), text: text });
      input.value = '';
    } catch (error) {
      agentError(error.message);
    }
  });

  async function agentAction(path, body) {
    if (!agent.open) return;
    agentError('');
    try {
      await agentApi('POST', '/api/agent/conversations/' + encodeURIComponent(agent.open) + path, body);
      setAgentControls(false);
    } catch (error) {
      agentError(error.message);
    }
    refreshQueue();
  }
  $('release-ai').addEventListener('click', () => agentAction('/release', { to: 'ai' }));
  $('release-queue').addEventListener('click', () => agentAction('/release', { to: 'queue' }));
  $('close-conversation').addEventListener('click', () => agentAction('/close', { resolution: 'resolved by agent' }));
})();
