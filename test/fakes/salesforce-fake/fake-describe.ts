/**
 * `GET /sobjects/{Object}/describe` and `GET /sobjects` as the integration user sees them: only objects and
 * fields it can read, with createable/updateable reflecting field-level security. The members are the ones
 * Salesforce's DescribeSObjectResult and Field carry (a subset of them, same names and types).
 */
import { resourceNotFound } from './fake-errors.ts';
import type { FakeOrg, FieldView } from './fake-org.ts';
import type { FakeObject } from './fake-schema.ts';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function describeField(object: FakeObject, field: FieldView) {
  const writable = field.access === 'edit';
  const text = ['string', 'textarea', 'email', 'url', 'phone', 'picklist', 'multipicklist'].includes(
    field.type,
  );
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
    length: text ? field.length : 0,
    byteLength: text ? field.length * 3 : field.type === 'id' || field.type === 'reference' ? 18 : 0,
    precision: field.precision,
    scale: field.scale,
    digits: field.type === 'int' ? 9 : 0,
    custom: field.custom,
    createable: writable,
    updateable: writable && field.name !== 'Id',
    nillable: !field.required && field.type !== 'boolean' && field.name !== 'Id',
    defaultedOnCreate: field.system || field.type === 'boolean' || field.name === 'OwnerId',
    calculated: false,
    autoNumber: field.autoNumber,
    externalId: field.externalId,
    unique: field.unique,
    caseSensitive: field.caseSensitive,
    idLookup: field.name === 'Id' || field.externalId || field.unique,
    nameField: field.name === 'Name',
    filterable: field.type !== 'textarea',
    sortable: field.type !== 'textarea' && field.type !== 'multipicklist',
    groupable: !['textarea', 'double', 'currency', 'percent', 'multipicklist', 'datetime'].includes(
      field.type,
    ),
    extraTypeInfo: field.type === 'textarea' ? (field.length > 255 ? 'plaintextarea' : null) : null,
    htmlFormatted: false,
    restrictedPicklist:
      field.type === 'picklist' || field.type === 'multipicklist' ? field.restrictedPicklist : false,
    picklistValues: field.picklistValues.map((value) => ({
      active: true,
      defaultValue: false,
      label: value,
      validFor: null,
      value,
    })),
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    polymorphicForeignKey: field.referenceTo.length > 1,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    inlineHelpText: null,
    defaultValue: null,
    defaultValueFormula: null,
  };
}

function urls(apiPath: string, object: FakeObject) {
  const base = `${apiPath}/sobjects/${object.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function objectFlags(org: FakeOrg, object: FakeObject) {
  const editable = org.objectAccess(object) === 'edit';
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix,
    custom: object.custom,
    customSetting: false,
    createable: editable,
    updateable: editable,
    deletable: editable,
    queryable: true,
    retrieveable: true,
    searchable: true,
    layoutable: true,
    mergeable: false,
    replicateable: true,
    triggerable: true,
    undeletable: editable,
    activateable: false,
    feedEnabled: false,
    deprecatedAndHidden: false,
  };
}

export function describeObject(org: FakeOrg, name: string, apiPath: string) {
  const object = org.visibleObject(name);
  if (object === undefined) throw resourceNotFound();
  return {
    ...objectFlags(org, object),
    fields: org.visibleFields(object).map((field) => describeField(object, field)),
    childRelationships: [],
    recordTypeInfos: [],
    supportedScopes: [{ label: 'All records', name: 'everything' }],
    urls: urls(apiPath, object),
  };
}

export function describeGlobal(org: FakeOrg, apiPath: string) {
  const sobjects = [...org.objects.values()]
    .filter((object) => org.visibleObject(object.name) !== undefined)
    .map((object) => ({ ...objectFlags(org, object), urls: urls(apiPath, object) }));
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects };
}
