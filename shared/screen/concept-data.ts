// The WordNet concept table (model/concepts.json) for models that weigh word concepts: training, the bench's
// variants and their tests. Kept out of model.ts on purpose: the shipped model has no word weights, so the Worker
// never imports this module and its bundle does not carry the data.

import { buildConceptTable, type ConceptFile, type ConceptTable } from './concepts.ts'
import conceptData from './model/concepts.json' with { type: 'json' }

let table: ConceptTable | null = null
export function shippedConcepts(): ConceptTable {
  table ??= buildConceptTable(conceptData as ConceptFile)
  return table
}
