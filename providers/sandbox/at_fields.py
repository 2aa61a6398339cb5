"""The fields of the Autotask entities the sandbox serves, as the v1.0 swagger models define them.

Records go out with every field of their model, null when unset, as Autotask answers
(`soapParentPropertyId` included: it is in the models). A filter or `includeFields` naming
another field is an error, as on the live API. Generated from the swagger
(tests/contract/test_field_tables.py checks that it still equals it): entity URL name ->
(entity name, its fields with their data type). `userDefinedFields` is listed apart: only
entities whose model has it can carry UDFs.
"""

from __future__ import annotations

ENTITIES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "Companies": ("Company", (
        ("id", "long"), ("additionalAddressInformation", "string"), ("address1", "string"),
        ("address2", "string"), ("alternatePhone1", "string"), ("alternatePhone2", "string"),
        ("apiVendorID", "integer"), ("assetValue", "double"),
        ("billToCompanyLocationID", "integer"), ("billToAdditionalAddressInformation", "string"),
        ("billingAddress1", "string"), ("billingAddress2", "string"),
        ("billToAddressToUse", "integer"), ("billToAttention", "string"), ("billToCity", "string"),
        ("billToCountryID", "integer"), ("billToState", "string"), ("billToZipCode", "string"),
        ("city", "string"), ("classification", "integer"), ("companyCategoryID", "integer"),
        ("companyName", "string"), ("companyNumber", "string"), ("companyType", "integer"),
        ("competitorID", "integer"), ("countryID", "integer"), ("createDate", "datetime"),
        ("createdByResourceID", "integer"), ("currencyID", "integer"), ("fax", "string"),
        ("impersonatorCreatorResourceID", "integer"), ("invoiceEmailMessageID", "integer"),
        ("invoiceMethod", "integer"), ("invoiceNonContractItemsToParentCompany", "boolean"),
        ("invoiceTemplateID", "integer"), ("isActive", "boolean"),
        ("isClientPortalActive", "boolean"), ("isEnabledForComanaged", "boolean"),
        ("isSample", "boolean"), ("isTaskFireActive", "boolean"), ("isTaxExempt", "boolean"),
        ("lastActivityDate", "datetime"), ("lastTrackedModifiedDateTime", "datetime"),
        ("marketSegmentID", "integer"), ("ownerResourceID", "integer"),
        ("parentCompanyID", "integer"), ("phone", "string"), ("postalCode", "string"),
        ("purchaseOrderTemplateID", "integer"), ("quoteEmailMessageID", "integer"),
        ("quoteTemplateID", "integer"), ("sicCode", "string"), ("state", "string"),
        ("stockMarket", "string"), ("stockSymbol", "string"), ("surveyCompanyRating", "double"),
        ("taxID", "string"), ("taxRegionID", "integer"), ("territoryID", "integer"),
        ("webAddress", "string"),
    )),
    "Contracts": ("Contract", (
        ("id", "long"), ("billingPreference", "integer"), ("billToCompanyContactID", "integer"),
        ("billToCompanyID", "integer"), ("companyID", "integer"), ("contactID", "integer"),
        ("contactName", "string"), ("contractCategory", "integer"),
        ("contractExclusionSetID", "integer"), ("contractName", "string"),
        ("contractNumber", "string"), ("contractPeriodType", "integer"),
        ("contractType", "integer"), ("description", "string"), ("endDate", "datetime"),
        ("estimatedCost", "double"), ("estimatedHours", "double"), ("estimatedRevenue", "double"),
        ("exclusionContractID", "long"), ("internalCurrencyOverageBillingRate", "double"),
        ("internalCurrencySetupFee", "double"), ("isCompliant", "boolean"),
        ("isDefaultContract", "boolean"), ("lastModifiedDateTime", "datetime"),
        ("opportunityID", "integer"), ("organizationalLevelAssociationID", "integer"),
        ("overageBillingRate", "double"), ("purchaseOrderNumber", "string"),
        ("renewedContractID", "long"), ("serviceLevelAgreementID", "integer"),
        ("setupFee", "double"), ("setupFeeBillingCodeID", "long"), ("startDate", "datetime"),
        ("status", "integer"), ("timeReportingRequiresStartAndStopTimes", "integer"),
    )),
    "Services": ("Service", (
        ("id", "long"), ("billingCodeID", "integer"), ("createDate", "datetime"),
        ("creatorResourceID", "integer"), ("description", "string"),
        ("invoiceDescription", "string"), ("isActive", "boolean"),
        ("lastModifiedDate", "datetime"), ("markupRate", "double"), ("name", "string"),
        ("periodType", "integer"), ("serviceLevelAgreementID", "long"), ("unitCost", "double"),
        ("unitPrice", "double"), ("updateResourceID", "integer"), ("vendorCompanyID", "integer"),
        ("manufacturerServiceProvider", "string"),
        ("manufacturerServiceProviderProductNumber", "string"),
        ("catalogNumberPartNumber", "string"), ("sku", "string"), ("internalID", "string"),
        ("externalID", "string"), ("url", "string"),
    )),
    "ContractServices": ("ContractService", (
        ("id", "long"), ("contractID", "integer"), ("internalCurrencyAdjustedPrice", "double"),
        ("internalCurrencyUnitPrice", "double"), ("internalDescription", "string"),
        ("invoiceDescription", "string"), ("quoteItemID", "long"), ("serviceID", "integer"),
        ("unitCost", "double"), ("unitPrice", "double"),
    )),
    "ContractServiceUnits": ("ContractServiceUnit", (
        ("id", "long"), ("approveAndPostDate", "datetime"), ("contractID", "integer"),
        ("contractServiceID", "integer"), ("cost", "double"), ("endDate", "datetime"),
        ("internalCurrencyPrice", "double"), ("organizationalLevelAssociationID", "integer"),
        ("price", "double"), ("serviceID", "integer"), ("startDate", "datetime"),
        ("units", "integer"), ("vendorCompanyID", "integer"),
    )),
    "ContractCharges": ("ContractCharge", (
        ("id", "long"), ("billableAmount", "double"), ("billingCodeID", "long"),
        ("chargeType", "integer"), ("contractID", "long"), ("contractServiceBundleID", "long"),
        ("contractServiceID", "long"), ("createDate", "datetime"), ("creatorResourceID", "long"),
        ("datePurchased", "datetime"), ("description", "string"), ("extendedCost", "double"),
        ("internalCurrencyBillableAmount", "double"), ("internalCurrencyUnitPrice", "double"),
        ("internalPurchaseOrderNumber", "string"), ("isBillableToCompany", "boolean"),
        ("isBilled", "boolean"), ("name", "string"), ("notes", "string"),
        ("organizationalLevelAssociationID", "integer"), ("productID", "long"),
        ("purchaseOrderNumber", "string"), ("status", "long"), ("statusLastModifiedBy", "long"),
        ("statusLastModifiedDate", "datetime"), ("unitCost", "double"), ("unitPrice", "double"),
        ("unitQuantity", "double"),
    )),
    "ContractServiceAdjustments": ("ContractServiceAdjustment", (
        ("id", "long"), ("adjustedUnitCost", "double"), ("adjustedUnitPrice", "double"),
        ("allowRepeatService", "boolean"), ("contractID", "integer"),
        ("contractServiceID", "integer"), ("effectiveDate", "datetime"),
        ("quoteItemID", "integer"), ("serviceID", "integer"), ("unitChange", "integer"),
    )),
}
# the entities whose model carries `userDefinedFields` / `soapParentPropertyId`
WITH_UDFS = frozenset({"Companies", "Contracts", "Services"})
WITH_SOAP_PARENT = frozenset({"ContractServices", "ContractServiceUnits", "ContractCharges", "ContractServiceAdjustments"})
