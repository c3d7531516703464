import type * as grpc from '@grpc/grpc-js';
import { Code } from '@eventstore/db-client/generated/code_pb';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import * as streams from '@eventstore/db-client/generated/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { callRefusal, sleep, uuidOf, type Leader, type StandInMode } from './refusals';
import type { Expectation, ProposedEvent, StandInLog } from './stand-in-log';

export type BatchAppendCall = grpc.ServerDuplexStream<streams.BatchAppendReq, streams.BatchAppendResp>;

/** The stand-in's settings as they are when each append arrives, and its log. */
export interface BatchAppendServer {
  readonly mode: StandInMode;
  readonly delayMs: number;
  readonly appendAnswerDelayMs: number;
  readonly maxAppendSize: number;
  readonly leader: Leader;
  readonly log: StandInLog;
  /** The server's clock (ms since the epoch): an append's deadline is measured against it. */
  readonly clock: () => number;
}

export interface BatchAppendHooks {
  /** Counts one append (one correlation id) made over BatchAppend. */
  counted(): void;
  /** A call left without an answer (`silent`), ended when the stand-in stops. */
  hang(call: BatchAppendCall): void;
}

interface PendingWrite {
  readonly identifier: shared.StreamIdentifier;
  readonly expected: Expectation;
  readonly events: ProposedEvent[];
  size: number;
  /** The instant the client set (by its own clock) after which the append is not to be made. */
  readonly deadline: number | null;
}

type Reply = { readonly success: streams.BatchAppendResp.Success } | { readonly error: Status };

/**
 * `Streams.BatchAppend` as a current server serves it (KurrentDB's Streams.BatchAppend.cs): one
 * long-lived bidirectional call per client carries every append, each a run of requests under one
 * correlation id (the first with the options: stream, expected revision, deadline; the last
 * `is_final`). Each append is answered on the same call, under its correlation id and stream:
 * success with the stream's revision and the commit position, or an error status
 * (`google.rpc.Status`, the reason packed in its details): the wrong expected version with the
 * current and expected revisions, the maximum append size (sent as soon as the requests exceed it,
 * later ones under that id ignored), access denied, a deadline already passed by the server's clock
 * (the client sends it as an instant by its own). A node that is not ready, or not the leader,
 * fails the whole call, as the server's interceptor and its leader redirect do.
 */
export function serveBatchAppend(call: BatchAppendCall, host: BatchAppendServer, hooks: BatchAppendHooks): void {
  const pending = new Map<string, PendingWrite>();
  let inFlight = 0;
  let ended = false;
  const answer = (request: streams.BatchAppendReq, identifier: shared.StreamIdentifier | undefined, reply: Reply) => {
    const response = new streams.BatchAppendResp().setCorrelationId(request.getCorrelationId()).setStreamIdentifier(identifier);
    if ('success' in reply) response.setSuccess(reply.success);
    else response.setError(reply.error);
    if (!call.cancelled && !call.destroyed) call.write(response);
  };

  const receive = async (request: streams.BatchAppendReq) => {
    const correlation = uuidOf(request.getCorrelationId()!);
    const options = request.getOptions();
    if (options) {
      const identifier = options.getStreamIdentifier();
      if (!identifier) return answer(request, undefined, { error: badRequest('StreamIdentifier') });
      const deadline = options.hasDeadline() ? options.getDeadline()!.toDate().getTime() : null;
      pending.set(correlation, { identifier, expected: expectationOf(options), events: [], size: 0, deadline });
    }
    const write = pending.get(correlation);
    if (!write) return; // an append already refused (too large): the rest of its requests are ignored
    for (const message of request.getProposedMessagesList()) {
      write.events.push(proposedEvent(message));
      write.size += message.getData_asU8().length + message.getCustomMetadata_asU8().length;
    }
    if (write.size > host.maxAppendSize) {
      pending.delete(correlation);
      return answer(request, write.identifier, { error: maximumAppendSizeExceeded(host.maxAppendSize) });
    }
    if (!request.getIsFinal()) return;
    pending.delete(correlation);
    hooks.counted();
    if (host.delayMs) await sleep(host.delayMs);
    if (host.mode === 'silent') return hooks.hang(call);
    if (host.mode === 'denied') return answer(request, write.identifier, { error: accessDenied() });
    const refusal = callRefusal(host.mode, host.leader);
    if (refusal) return void call.emit('error', refusal); // not ready, or not the leader: the whole call fails
    // the deadline is an instant by the client's clock, measured by the server against its own (Streams.BatchAppend.cs):
    // passed already, nothing is written
    if (write.deadline !== null && write.deadline <= host.clock()) return answer(request, write.identifier, { error: timedOut() });
    const name = Buffer.from(write.identifier.getStreamName_asU8()).toString('utf8');
    const outcome = host.log.append(name, write.expected, write.events);
    if (host.appendAnswerDelayMs) await sleep(host.appendAnswerDelayMs); // written now, answered later
    answer(
      request,
      write.identifier,
      outcome.kind === 'wrong-expected-version'
        ? { error: wrongExpectedVersion(outcome.current, write.expected) }
        : outcome.kind === 'stream-deleted'
          ? { error: streamDeleted(write.identifier) }
          : { success: success(outcome.revision, outcome.position) },
    );
  };

  // the client closes its side when it is disposed: the call ends once every append taken is answered
  const endWhenAnswered = () => {
    if (ended && inFlight === 0 && !call.cancelled && !call.destroyed) call.end();
  };
  call.on('data', (request: streams.BatchAppendReq) => {
    inFlight += 1;
    void receive(request).finally(() => {
      inFlight -= 1;
      endWhenAnswered();
    });
  });
  call.on('end', () => {
    ended = true;
    endWhenAnswered();
  });
}

function expectationOf(options: streams.BatchAppendReq.Options): Expectation {
  if (options.hasStreamPosition()) return Number(options.getStreamPosition());
  if (options.hasNoStream()) return -1;
  if (options.hasStreamExists()) return 'exists';
  return 'any';
}

function proposedEvent(message: streams.BatchAppendReq.ProposedMessage): ProposedEvent {
  return {
    id: uuidOf(message.getId()!),
    type: message.getMetadataMap().get('type') ?? '',
    contentType: message.getMetadataMap().get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

function success(revision: number, position: number): streams.BatchAppendResp.Success {
  const at = new shared.AllStreamPosition().setCommitPosition(String(position)).setPreparePosition(String(position));
  return new streams.BatchAppendResp.Success().setCurrentRevision(String(revision)).setPosition(at);
}

/** The server's WrongExpectedVersion status: the stream's current revision (or none) and what the append expected. */
function wrongExpectedVersion(current: number, expected: Expectation): Status {
  const details = new shared.WrongExpectedVersion();
  if (current < 0) details.setCurrentNoStream(new Empty());
  else details.setCurrentStreamRevision(String(current));
  if (expected === 'any') details.setExpectedAny(new Empty());
  else if (expected === 'exists') details.setExpectedStreamExists(new Empty());
  else if (expected < 0) details.setExpectedNoStream(new Empty());
  else details.setExpectedStreamPosition(String(expected));
  return status(Code.ALREADY_EXISTS, 'WrongExpectedVersion', details);
}

/** The server's answer to an append to a stream deleted for good. */
const streamDeleted = (identifier: shared.StreamIdentifier) =>
  status(Code.FAILED_PRECONDITION, 'StreamDeleted', new shared.StreamDeleted().setStreamIdentifier(identifier));

const maximumAppendSizeExceeded = (max: number) =>
  status(Code.INVALID_ARGUMENT, 'MaximumAppendSizeExceeded', new shared.MaximumAppendSizeExceeded().setMaxappendsize(max));

const timedOut = () => status(Code.DEADLINE_EXCEEDED, 'Timeout', new shared.Timeout());

const accessDenied = () => status(Code.PERMISSION_DENIED, 'AccessDenied', new shared.AccessDenied());

const badRequest = (field: string) =>
  status(Code.INVALID_ARGUMENT, 'BadRequest', new shared.BadRequest().setMessage(`Required field ${field} not set.`));

/** A `google.rpc.Status` as the server builds it: a code, the reason's name, and the reason packed as `event_store.client.<name>`. */
function status(code: Code, name: string, details: { serializeBinary(): Uint8Array }): Status {
  const any = new Any();
  any.pack(details.serializeBinary(), `event_store.client.${name}`);
  return new Status().setCode(code).setMessage(name).setDetails(any);
}
