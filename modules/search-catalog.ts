import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import {
  EVENT_COLUMNS,
  PARTITION_COLUMNS,
  projectionProperties,
  SearchTable,
  tableLocation,
} from "../lib/search";
import { BucketRef } from "./refs";

export interface SearchCatalogProps {
  readonly provider: AwsProvider;
  readonly databaseName: string;
  /** The archive bucket whose `events/` the tables read. */
  readonly archive: BucketRef;
  readonly tables: readonly SearchTable[];
}

/** Hadoop's text input (it gunzips `.gz` objects, every gzip member) and Hive's matching output format. */
const TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat";
const TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
/** The OpenX JSON SerDe (Athena User Guide, "OpenX JSON SerDe", https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html). */
const OPENX_JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe";

/**
 * A Glue database and the events tables over the archive's `events/`: one
 * NDJSON line per row, partitions projected by Athena from table properties
 * (no crawler, no partition to add: Athena User Guide, "Use partition
 * projection with Amazon Athena",
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html).
 */
export class SearchCatalog extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly tables: GlueCatalogTable[];

  constructor(scope: Construct, id: string, props: SearchCatalogProps) {
    super(scope, id);
    const provider = props.provider;
    this.database = new GlueCatalogDatabase(this, "Database", {
      provider,
      name: props.databaseName,
      description: "Security log events of the archive, for Athena (seclog)",
    });
    this.tables = props.tables.map(
      (table) =>
        new GlueCatalogTable(this, `Table_${table.name}`, {
          provider,
          databaseName: this.database.name,
          name: table.name,
          description: table.description,
          tableType: "EXTERNAL_TABLE",
          parameters: tableParameters(props.archive.name, table),
          partitionKeys: table.partitions.map((name) => ({
            name,
            type: "string",
            comment: PARTITION_COLUMNS[name].comment,
          })),
          storageDescriptor: {
            location: tableLocation(props.archive.name),
            inputFormat: TEXT_INPUT_FORMAT,
            outputFormat: TEXT_OUTPUT_FORMAT,
            serDeInfo: {
              serializationLibrary: OPENX_JSON_SERDE,
              // Keys match columns case-insensitively (logGroup -> loggroup), as the SerDe's default;
              // a malformed line fails the query rather than vanishing from an answer.
              parameters: { "case.insensitive": "TRUE", "ignore.malformed.json": "FALSE" },
            },
            columns: EVENT_COLUMNS.map(({ name, type, comment }) => ({ name, type, comment })),
          },
        }),
    );
  }
}

/**
 * Text Terraform must not interpolate: `$${` is a literal `${` ("Template
 * literals ... To include a literal `${` ... use `$${`", Terraform language,
 * "Strings and Templates", https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, "$$${").replace(/%\{/g, "%%{");
}

function tableParameters(bucketName: string, table: SearchTable): Record<string, string> {
  return {
    EXTERNAL: "TRUE",
    classification: "json",
    compressionType: "gzip",
    // Objects restored from Glacier are read; without it Athena skips every Glacier object, restored or
    // not (Athena User Guide, "Query restored Amazon S3 Glacier objects",
    // https://docs.aws.amazon.com/athena/latest/ug/querying-glacier.html; engine version 3 only).
    read_restored_glacier_objects: "true",
    ...projectionProperties(bucketName, table, terraformLiteral),
  };
}
