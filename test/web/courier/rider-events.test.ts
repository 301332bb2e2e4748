import { describe, expect, test } from 'vitest';
import {
  appEventId,
  doorEvent,
  doorFormErrors,
  documentsReturnedEvent,
  readDoorForm,
  routeStartedEvent,
} from '../../../src/web/courier/rider-events.ts';

const ROUTE = '6b1d3c2a-4e5f-4a7b-8c9d-0e1f2a3b4c5d';
const JOB = '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f';
const NOW = new Date('2026-12-15T10:42:00.000Z');
const AT_DOOR = { lng: '9.1773', lat: '48.7754', accuracy: '12.6' };

describe('the rider app’s reports as courier events', () => {
  test('ids follow from the action, so a second tap is the same event', () => {
    expect(routeStartedEvent(ROUTE, new Date(NOW.getTime() + 5000)).id).toBe(routeStartedEvent(ROUTE, NOW).id);
    expect(routeStartedEvent(ROUTE, NOW).id).toBe(`app.${ROUTE}.route.started`);
    expect(appEventId(ROUTE, 'stop.failed', JOB)).toBe(`app.${ROUTE}.${JOB}.stop.failed`);
    expect(documentsReturnedEvent(ROUTE, [JOB], NOW)).toEqual({
      id: `app.${ROUTE}.document.returned`,
      type: 'document.returned',
      timestamp: NOW.toISOString(),
      data: { routeId: ROUTE, jobIds: [JOB] },
    });
  });

  test('a delivery carries the identity check with the rider as courier and the rounded accuracy', () => {
    const form = readDoorForm({ result: 'delivered', methods: ['photo_comparison', 'bogus'], recipientConfirmed: 'yes', ...AT_DOOR });
    expect(doorFormErrors(form, ['photo_comparison'])).toEqual({});
    expect(doorEvent({ routeId: ROUTE, jobId: JOB, riderId: 'rider-1', form, now: NOW })).toEqual({
      id: `app.${ROUTE}.${JOB}.stop.delivered`,
      type: 'stop.delivered',
      timestamp: NOW.toISOString(),
      data: {
        routeId: ROUTE,
        jobId: JOB,
        identityCheck: {
          methods: ['photo_comparison'],
          result: 'passed',
          checkedAt: NOW.toISOString(),
          courier: { id: 'rider-1' },
          position: { lng: 9.1773, lat: 48.7754, accuracyMetres: 13 },
          oldDocumentCollected: false,
          recipientConfirmed: true,
        },
      },
    });
  });

  test('the page refuses a delivery without position, required check or confirmation; a failure without a check needs no position', () => {
    const noPosition = readDoorForm({ result: 'delivered', methods: 'photo_comparison', recipientConfirmed: 'yes', lng: '', lat: '' });
    expect(noPosition.position).toBeNull();
    expect(doorFormErrors(noPosition, ['photo_comparison'])).toEqual({ position: { key: 'ca.error.position' } });
    const child = readDoorForm({ result: 'delivered', methods: ['second_id_document'], ...AT_DOOR });
    expect(doorFormErrors(child, ['parental_custody', 'second_id_document'])).toEqual({
      methods: { key: 'ca.error.requiredMethods' },
      recipientConfirmed: { key: 'ca.error.recipientConfirmed' },
    });
    expect(readDoorForm({ ...AT_DOOR, lat: '91' }).position).toBeNull();
    expect(doorFormErrors(readDoorForm({}), ['photo_comparison'])).toEqual({ result: { key: 'ca.error.result' } });

    const notHome = readDoorForm({ result: 'failed', reason: 'not_home', note: '  Zweimal geklingelt  ' });
    expect(doorFormErrors(notHome, ['photo_comparison'])).toEqual({});
    expect(doorEvent({ routeId: ROUTE, jobId: JOB, riderId: 'rider-1', form: notHome, now: NOW }).data).toEqual({
      routeId: ROUTE,
      jobId: JOB,
      reason: 'not_home',
      note: 'Zweimal geklingelt',
    });
    // A check that found the wrong person is reported with it, so it needs the position.
    const mismatch = readDoorForm({ result: 'failed', reason: 'identity_mismatch', methods: 'photo_comparison' });
    expect(doorFormErrors(mismatch, ['photo_comparison'])).toEqual({ position: { key: 'ca.error.position' } });
    expect(doorFormErrors(readDoorForm({ result: 'failed', reason: 'whatever' }), [])).toEqual({ reason: { key: 'ca.error.reason' } });
  });

  test('what the schema refuses never leaves the page', () => {
    expect(() => documentsReturnedEvent(ROUTE, [], NOW)).toThrow(/not valid/);
    expect(() => routeStartedEvent('not-a-route', NOW)).toThrow(/not valid/);
  });
});
