// Workflow entry point for the worker's bundle: export every workflow type here.
export { callWorkflow } from './call-workflow.js';
export { refundWorkflow } from './refund-workflow.js';
export { paymentEventsWorkflow } from './payment-events-workflow.js';
