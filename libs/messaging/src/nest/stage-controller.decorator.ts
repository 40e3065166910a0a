import { Controller, UseFilters, applyDecorators } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { TopicName } from '#contracts';
import { RethrowRpcFilter } from './rethrow-rpc.filter.js';

/** A controller whose methods consume topics. Errors reach the stage consumer as they were thrown. */
export const StageController = (): ClassDecorator => applyDecorators(Controller(), UseFilters(RethrowRpcFilter));

/** Marks a method as the handler of every message on `topic`. */
export const OnTopic = (topic: TopicName | string): MethodDecorator => EventPattern(topic) as unknown as MethodDecorator;
