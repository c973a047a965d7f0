import { Fn } from "cdktf";

/**
 * The @connections callback base URL for request templates, built from the
 * request: `https://<the host the client connected to>/<stage>`. Right only
 * while clients connect through the API's own `execute-api` host: behind a
 * custom domain `$context.domainName` is the custom name, where
 * `/<stage>/@connections` does not exist (with a mapping key the stage is at
 * `/<key>`, without one at the root).
 */
export const REQUEST_CALLBACK_URL_TEMPLATE = "https://$context.domainName/$context.stage";

/** What {@link callbackUrlTemplate} needs of the API. */
export interface ICallbackUrlApi {
  /** `wss://<api-id>.execute-api.<region>.amazonaws.com` (`aws_apigatewayv2_api.api_endpoint`). */
  readonly apiEndpoint: string;
}

/**
 * The @connections callback base URL a backend needs in a request template
 * (e.g. the `url` field of the chat contract), unquoted.
 *
 * - Without a custom domain: {@link REQUEST_CALLBACK_URL_TEMPLATE}, built by
 *   API Gateway from the request, as AWS's examples do.
 * - With a custom domain (`api` given): the API's own endpoint, resolved by
 *   Terraform, with `https` and the stage:
 *   `https://<api-id>.execute-api.<region>.amazonaws.com/$context.stage`.
 *   It is right whether the client came through the custom domain (with or
 *   without a mapping key) or the default endpoint, and it is the address
 *   AWS documents for @connections
 *   (`POST https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/@connections/{connection_id}`,
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html).
 *   The same page says to drop the stage when the callback goes through a
 *   custom domain; that holds for a mapping without key only (with a key
 *   the path is `/<key>`), and SDKs then also need the signing region set
 *   by hand (aws/aws-lambda-dotnet#605): the execute-api host avoids both.
 *   The region is not in WebSocket `$context`, hence the endpoint from
 *   Terraform (`aws_apigatewayv2_api` exists before its integrations, so
 *   there is no cycle; the stage's invoke URL would make one through the
 *   deployment). Keep the API's default endpoint enabled: the backend calls it.
 *
 * @param api the API, when clients may connect through a custom domain
 */
export function callbackUrlTemplate(api?: ICallbackUrlApi): string {
  if (!api) return REQUEST_CALLBACK_URL_TEMPLATE;
  return `${Fn.replace(api.apiEndpoint, "wss://", "https://")}/$context.stage`;
}
