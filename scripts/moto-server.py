"""moto_server, with the few attributes moto 5.2 accepts but never returns.

Real AWS returns these values, so Terraform's second plan against it is empty;
moto drops them, so the second plan would show the same change forever. Each
patch stores what the request sent and returns it (or, for API Gateway custom
domain names, what AWS adds to it), nothing more. Everything else is moto's
own server: same arguments as `moto_server`.

    python3 scripts/moto-server.py -H 127.0.0.1 -p 5000
"""
import sys

from moto.codebuild import responses as codebuild_responses
from moto.ec2.models import security_groups as ec2_security_groups
from moto.ecs import responses as ecs_responses
from moto.elbv2 import responses as elbv2_responses
from moto.server import main

import hashlib


def _patch_elbv2() -> None:
    """DescribeLoadBalancers: EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic (set by SetSecurityGroups)."""
    original = elbv2_responses.ELBV2Response.set_security_groups

    def set_security_groups(self):  # type: ignore[no-untyped-def]
        result = original(self)
        value = self._get_param("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")
        if value:
            arn = self._get_param("LoadBalancerArn")
            for lb in self.elbv2_backend.describe_load_balancers([arn], []):
                lb.enforce_security_group_inbound_rules_on_private_link_traffic = value
            result.result["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = value
        return result

    elbv2_responses.ELBV2Response.set_security_groups = set_security_groups


def _patch_ec2() -> None:
    """DescribeSecurityGroupRules: the description of a rule that references a security group."""
    rule = ec2_security_groups.SecurityGroupRule
    rule.description = property(lambda self: self.ip_range.get("Description") or (self.source_group or {}).get("Description"))


_ECS_SERVICE_FIELDS = {
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
    "enableExecuteCommand": "enable_execute_command",
}


def _patch_ecs() -> None:
    """DescribeServices: the service fields above, as CreateService/UpdateService sent them."""
    for name in ("create_service", "update_service"):
        original = getattr(ecs_responses.EC2ContainerServiceResponse, name)

        def wrapped(self, _original=original):  # type: ignore[no-untyped-def]
            result = _original(self)
            service = result.result["service"]
            for field, attribute in _ECS_SERVICE_FIELDS.items():
                value = self._get_param(field)
                if value is not None:
                    setattr(service, attribute, value)
            if getattr(service, "availability_zone_rebalancing", None) is None:
                # AWS's default for new services.
                service.availability_zone_rebalancing = "ENABLED"
            return result

        setattr(ecs_responses.EC2ContainerServiceResponse, name, wrapped)


def _patch_codebuild() -> None:
    """BatchGetProjects: concurrentBuildLimit."""
    original = codebuild_responses.CodeBuildResponse.create_project

    def create_project(self):  # type: ignore[no-untyped-def]
        result = original(self)
        limit = self._get_param("concurrentBuildLimit")
        if limit is not None:
            self.codebuild_backend.codebuild_projects[self._get_param("name")].project_metadata["concurrentBuildLimit"] = limit
        return result

    codebuild_responses.CodeBuildResponse.create_project = create_project


def _patch_apigateway_account() -> None:
    """UpdateAccount: a replace of /cloudwatchRoleArn without a value clears the role.

    AWS accepts it; the AWS provider sends it so when it destroys an
    aws_api_gateway_account with reset_on_delete. moto fails on the missing value.
    """
    from moto.apigateway import models as apigateway_models

    original = apigateway_models.Account.apply_patch_operations

    def apply_patch_operations(self, patch_operations):  # type: ignore[no-untyped-def]
        cleared = [dict(op, value=None) if "/cloudwatchRoleArn" in op.get("path", "") and "value" not in op else op for op in patch_operations]
        return original(self, cleared)

    apigateway_models.Account.apply_patch_operations = apply_patch_operations


def _patch_lambda() -> None:
    """GetFunction/GetFunctionConfiguration: LoggingConfig, as CreateFunction/UpdateFunctionConfiguration sent it.

    AWS returns a function's logging configuration (by default Text to
    /aws/lambda/<name>); moto keeps none, so a function with logging_config
    shows the block to add at every plan.
    """
    from moto.awslambda import models as lambda_models

    cls = lambda_models.LambdaFunction
    original_init = cls.__init__
    original_get = cls.get_configuration
    original_update = cls.update_configuration

    def __init__(self, account_id, spec, region, version=1):  # type: ignore[no-untyped-def]
        original_init(self, account_id, spec, region, version)
        self.logging_config = spec.get("LoggingConfig") or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{spec['FunctionName']}"}

    def get_configuration(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        config = original_get(self, *args, **kwargs)
        config["LoggingConfig"] = getattr(self, "logging_config", {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.function_name}"})
        return config

    def update_configuration(self, config_updates):  # type: ignore[no-untyped-def]
        if "LoggingConfig" in config_updates:
            self.logging_config = config_updates["LoggingConfig"]
        return original_update(self, config_updates)

    cls.__init__ = __init__
    cls.get_configuration = get_configuration
    cls.update_configuration = update_configuration


# API Gateway's own hosted zone for regional endpoints, per region
# (https://docs.aws.amazon.com/general/latest/gr/apigateway.html); the
# emulator's domains are in us-east-1 unless told otherwise.
_APIGATEWAY_REGIONAL_ZONES = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
}


def _patch_apigatewayv2_domain_names() -> None:
    """GetDomainName: each configuration AVAILABLE with the regional target host and zone, and no empty mutualTlsAuthentication.

    moto stores DomainNameConfigurations as sent. AWS adds DomainNameStatus,
    ApiGatewayDomainName (the d-<id>.execute-api.<region>.amazonaws.com host
    DNS points at) and HostedZoneId; without the status the provider waits for
    AVAILABLE forever ("unexpected state '', wanted target 'AVAILABLE'"),
    without the host and zone the alias records have no target, and an empty
    mutualTlsAuthentication reads back as a block to remove at every plan.
    """
    from moto.apigatewayv2 import models

    original_init = models.DomainName.__init__
    original_to_json = models.DomainName.to_json

    def __init__(self, domain_name, domain_name_configurations, mutual_tls_authentication, tags, backend):  # type: ignore[no-untyped-def]
        original_init(self, domain_name, domain_name_configurations, mutual_tls_authentication, tags, backend)
        region = backend.region_name
        digest = hashlib.sha1(domain_name.encode()).hexdigest()[:10]
        for configuration in self.domain_name_configurations or []:
            configuration.setdefault("domainNameStatus", "AVAILABLE")
            configuration.setdefault("apiGatewayDomainName", f"d-{digest}.execute-api.{region}.amazonaws.com")
            configuration.setdefault("hostedZoneId", _APIGATEWAY_REGIONAL_ZONES.get(region, "Z1UJRXOUMOOFQ8"))

    def to_json(self):  # type: ignore[no-untyped-def]
        out = original_to_json(self)
        if not out.get("mutualTlsAuthentication"):
            out.pop("mutualTlsAuthentication", None)
        return out

    models.DomainName.__init__ = __init__
    models.DomainName.to_json = to_json


def _patch_route53_change_info() -> None:
    """CreateHostedZone, ChangeResourceRecordSets, DeleteHostedZone: no ChangeInfo.

    AWS answers a change PENDING and then INSYNC once every Route 53 server has
    it; moto applies it at once and answers INSYNC. The AWS provider waits for
    INSYNC whenever a reply carries a ChangeInfo, sleeping 10 to 30 s (at
    random) before its first GetChange (terraform-provider-aws
    internal/service/route53/wait.go, waitChangeInsync: Delay rand 10-30 s,
    "Route53 is vulnerable to throttling"), and skips the wait when the reply
    has none (record.go: "No ChangeInfo Found. Waiting for Sync not
    required"). On moto that sleep waited for nothing: the change was in sync
    before the reply left. Each custom domain slept through it three times on
    apply and three on destroy (zone, validation record, alias records).
    The records and zones themselves are stored and read back as before.
    """
    from moto.route53 import responses as route53_responses

    for name in ("create_hosted_zone", "change_resource_record_sets", "delete_hosted_zone"):
        original = getattr(route53_responses.Route53, name)

        def without_change_info(self, _original=original):  # type: ignore[no-untyped-def]
            result = _original(self)
            result.result.pop("ChangeInfo", None)
            return result

        setattr(route53_responses.Route53, name, without_change_info)


for patch in (
    _patch_elbv2,
    _patch_ec2,
    _patch_ecs,
    _patch_codebuild,
    _patch_apigateway_account,
    _patch_apigatewayv2_domain_names,
    _patch_route53_change_info,
    _patch_lambda,
):
    patch()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
