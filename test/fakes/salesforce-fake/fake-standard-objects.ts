/**
 * The standard objects gridsync reads and writes, with the fields it touches and the ones an org always
 * has (names, types and lengths as Salesforce's describe gives them, API 66.0). Key prefixes are the real
 * ones, so ids look like an org's: 001 Account, 003 Contact, 006 Opportunity, 00T Task, 005 User.
 */
import type { FieldSpec, ObjectSpec } from './fake-schema.ts';

const owner: FieldSpec = {
  name: 'OwnerId',
  type: 'reference',
  referenceTo: ['User'],
  relationshipName: 'Owner',
};

export const STANDARD_OBJECTS: ObjectSpec[] = [
  {
    name: 'Account',
    keyPrefix: '001',
    labelPlural: 'Accounts',
    fields: [
      owner,
      { name: 'Website', type: 'url' },
      { name: 'BillingCountry', type: 'string', length: 80 },
      {
        name: 'Industry',
        type: 'picklist',
        length: 255,
        restrictedPicklist: false,
        picklistValues: ['Banking', 'Technology', 'Finance'],
      },
      { name: 'NumberOfEmployees', type: 'int' },
      { name: 'AnnualRevenue', type: 'currency' },
      { name: 'Type', type: 'picklist', restrictedPicklist: false, picklistValues: ['Prospect', 'Customer'] },
      { name: 'Description', type: 'textarea', length: 32_000 },
    ],
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    labelPlural: 'Contacts',
    nameField: 'none',
    fields: [
      owner,
      { name: 'Name', type: 'string', length: 121, system: true },
      { name: 'FirstName', type: 'string', length: 40 },
      { name: 'LastName', type: 'string', length: 80, required: true },
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Title', type: 'string', length: 128 },
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'] },
    ],
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    labelPlural: 'Opportunities',
    fields: [
      owner,
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'] },
      {
        name: 'StageName',
        type: 'picklist',
        required: true,
        picklistValues: ['Prospecting', 'Qualification', 'Proposal', 'Closed Won', 'Closed Lost'],
      },
      { name: 'CloseDate', type: 'date', required: true },
      { name: 'Amount', type: 'currency' },
      { name: 'IsClosed', type: 'boolean', system: true },
      { name: 'IsWon', type: 'boolean', system: true },
      { name: 'Description', type: 'textarea', length: 32_000 },
    ],
  },
  {
    name: 'Task',
    keyPrefix: '00T',
    labelPlural: 'Tasks',
    nameField: 'none',
    fields: [
      owner,
      { name: 'Subject', type: 'string', length: 255 },
      { name: 'Description', type: 'textarea', length: 32_000 },
      { name: 'ActivityDate', type: 'date' },
      { name: 'Status', type: 'picklist', picklistValues: ['Not Started', 'In Progress', 'Completed'] },
      { name: 'Priority', type: 'picklist', picklistValues: ['High', 'Normal', 'Low'] },
      {
        name: 'WhatId',
        type: 'reference',
        referenceTo: ['Account', 'Opportunity'],
        relationshipName: 'What',
      },
      { name: 'WhoId', type: 'reference', referenceTo: ['Contact'], relationshipName: 'Who' },
    ],
  },
  {
    name: 'User',
    keyPrefix: '005',
    labelPlural: 'Users',
    nameField: 'none',
    fields: [
      { name: 'Name', type: 'string', length: 121, system: true },
      { name: 'Username', type: 'string', length: 80 },
      { name: 'Email', type: 'email', length: 128 },
      { name: 'IsActive', type: 'boolean' },
    ],
  },
  {
    name: 'PermissionSet',
    keyPrefix: '0PS',
    labelPlural: 'Permission Sets',
    nameField: 'none',
    fields: [
      { name: 'Name', type: 'string', length: 80 },
      { name: 'Label', type: 'string', length: 80 },
    ],
  },
  {
    name: 'PermissionSetAssignment',
    keyPrefix: '0Pa',
    labelPlural: 'Permission Set Assignments',
    nameField: 'none',
    fields: [
      { name: 'AssigneeId', type: 'reference', referenceTo: ['User'], required: true },
      { name: 'PermissionSetId', type: 'reference', referenceTo: ['PermissionSet'], required: true },
    ],
  },
];
