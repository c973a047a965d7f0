/**
 * A local data plane for API Gateway WebSocket APIs: serves an API as
 * deployed (Terraform state) or synthesized (cdk.tf.json) on 127.0.0.1.
 * See README.md beside this file.
 */
export type * from "./api-model";
export { connectMethodArn, routeOf } from "./api-model";
export type { ApiSelection, TerraformResource } from "./api-resources";
export { loadAuthorizerHandler } from "./authorizer-handler";
export type { AuthorizerHandler } from "./authorizer-handler";
export { CLOCK_PATH } from "./clock-control";
export { EMULATOR_CREDENTIALS } from "./iam-authorizer";
export { ensureLocalCertificates } from "./local-certificates";
export type { LocalCertificates } from "./local-certificates";
export type { GatewayLimits } from "./limits";
export { checkBackendUrl, LocalGateway } from "./local-gateway";
export type { LocalGatewayProps } from "./local-gateway";
export { MappingTemplate } from "./mapping-template";
export { pointModuleSources } from "./module-sources";
export type { SigningCredentials } from "./sigv4";
export { apiFromSynthesizedStack } from "./synthesized-stack";
export { apiFromTerraformState, showState, terraformJson } from "./terraform-state";
